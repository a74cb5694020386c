import type { z } from 'zod';
import { type FieldError, ValidationError } from '../errors';

/** Parses `value` with `schema` or throws a ValidationError naming each failing field. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, where: FieldError['in']): z.infer<T> {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.flatMap((issue): FieldError[] => {
      const field = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({ in: where, field: field ? `${field}.${key}` : key, message: 'is not a known field' }));
      }
      const missing = issue.code === 'invalid_type' && issue.input === undefined;
      return [{ in: where, field, message: missing ? 'is required' : issue.message }];
    }),
  );
}
