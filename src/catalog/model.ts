import { z } from 'zod';
import { jsonBytesUpTo } from '../filters/json-size';
import { nonFiniteNumberPaths } from '../core/json-value';
import { eventDataSchema, eventTypeSchema, MAX_DATA_DEPTH, nestsDeeperThan, storedTextSchema } from '../model';
import { checkValue, compileDataSchema, type DataValidator } from './json-schema';

/** The shapes of the event-type catalog (PUT /v1/event-types/{type} and what the GET routes show). */

/** A declared schema as JSON: read at every intake of its type by each gateway, listed whole. */
export const MAX_SCHEMA_BYTES = 32 * 1024;
/** An example as JSON: shown in the portal and the AsyncAPI document. */
export const MAX_EXAMPLE_BYTES = 16 * 1024;

/** Compiled schemas of this request's body: the schema is compiled once to check it and once more for its example. */
const compiled = new WeakMap<object, ReturnType<typeof compileDataSchema>>();

function compiledOnce(schema: object): ReturnType<typeof compileDataSchema> {
  let result = compiled.get(schema);
  if (!result) compiled.set(schema, (result = compileDataSchema(schema)));
  return result;
}

/** What is wrong with a declared schema, in the order it is cheap to find: its size and depth first, then ajv's verdict. */
function schemaProblem(schema: object): string | undefined {
  if (nestsDeeperThan(schema, MAX_DATA_DEPTH)) return `nests deeper than ${MAX_DATA_DEPTH} levels`;
  if (jsonBytesUpTo(schema, MAX_SCHEMA_BYTES) > MAX_SCHEMA_BYTES) return `is larger than ${MAX_SCHEMA_BYTES / 1024} KiB as JSON`;
  if (nonFiniteNumberPaths(schema, 1).length > 0) return 'must hold finite numbers only';
  const result = compiledOnce(schema);
  return 'error' in result ? `is not a valid JSON Schema (2020-12): ${result.error}` : undefined;
}

const jsonSchemaField = z
  .record(z.string(), z.unknown())
  .superRefine((schema, ctx) => {
    const problem = schemaProblem(schema);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe(`A JSON Schema (2020-12) object for the event's data; at most ${MAX_SCHEMA_BYTES / 1024} KiB and ${MAX_DATA_DEPTH} levels. Unknown keywords and formats are refused; no remote $ref is fetched.`);

const exampleField = eventDataSchema
  .refine((example) => jsonBytesUpTo(example, MAX_EXAMPLE_BYTES) <= MAX_EXAMPLE_BYTES, `must be at most ${MAX_EXAMPLE_BYTES / 1024} KiB as JSON`)
  .describe("An example of the event's data; it must match the schema when there is one.");

/** The validator of a schema the field check already accepted, if it did. */
export function validatorOf(schema: object): DataValidator | undefined {
  const result = compiledOnce(schema);
  return 'validate' in result ? result.validate : undefined;
}

export const putEventTypeSchema = z
  .strictObject({
    description: storedTextSchema(2000).min(1).describe('What the event means, for the people who subscribe to it (at most 2,000 characters).'),
    schema: jsonSchemaField.optional(),
    example: exampleField.optional(),
    deprecated: z.boolean().default(false).describe('Still accepted and delivered; shown as deprecated to tenants and in the AsyncAPI document.'),
    deprecatedMessage: storedTextSchema(500).min(1).optional().describe('Why, and what to use instead (needs deprecated: true).'),
    replacedBy: eventTypeSchema.optional().describe('The type that replaces this one (needs deprecated: true).'),
  })
  .superRefine((entry, ctx) => {
    const validate = entry.schema && entry.example && validatorOf(entry.schema);
    const problem = validate ? checkValue(validate, entry.example, 'example') : undefined;
    if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: `does not match the schema: ${problem.message}` });
    for (const key of ['deprecatedMessage', 'replacedBy'] as const) {
      if (entry[key] !== undefined && !entry.deprecated) ctx.addIssue({ code: 'custom', path: [key], message: 'needs deprecated: true' });
    }
  });
export type PutEventTypeInput = z.infer<typeof putEventTypeSchema>;

const jsonObject = z.record(z.string(), z.unknown());

const declaredFields = {
  description: z.string(),
  schema: jsonObject.nullable().describe("JSON Schema (2020-12) of the event's data; events of the type are checked against it at intake."),
  example: jsonObject.nullable(),
  deprecated: z.boolean(),
  deprecatedAt: z.string().nullable().describe('Since when it is deprecated.'),
  deprecatedMessage: z.string().nullable(),
  replacedBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
};

export const declaredEventTypeSchema = z.object({
  type: z.string(),
  ...declaredFields,
  lastSeenAt: z.string().nullable().describe("When an event of the type was last accepted (a tenant's own and broadcasts' for a tenant); null if never."),
});
export type DeclaredEventTypeView = z.infer<typeof declaredEventTypeSchema>;

export const eventTypeEntrySchema = z.object({
  type: z.string(),
  lastSeenAt: z.string().nullable().describe('null for a declared type no event has had yet.'),
  declared: z.boolean().describe('Declared by the operator (with description, schema, example, deprecation), or only seen.'),
  ...z.object(declaredFields).partial().shape,
});
export type EventTypeEntry = z.infer<typeof eventTypeEntrySchema>;
