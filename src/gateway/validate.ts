import type { z } from 'zod';
import { type FieldError, ValidationError } from '../errors';

/** Parses `value` with `schema` or throws a ValidationError naming each failing field. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, where: FieldError['in']): z.infer<T> {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => ({
      in: where,
      field: issue.path.map(String).join('.'),
      message:
        issue.code === 'unrecognized_keys'
          ? `unknown field(s): ${issue.keys.join(', ')}`
          : issue.code === 'invalid_type' && issue.input === undefined
            ? 'is required'
            : issue.message,
    })),
  );
}
