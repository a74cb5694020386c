import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { FieldError } from '../model/errors';

/**
 * JSON Schema 2020-12 for an event type's `data`, compiled and run by ajv (the validator most of
 * the JavaScript ecosystem uses; it compiles a schema into a function once, so intake pays only
 * for the check itself).
 */

export type DataValidator = ValidateFunction;

/**
 * A fresh ajv per schema: a schema's `$id` would otherwise collide with the same `$id` compiled
 * before (ajv keeps every schema it compiled). Compiling happens on a PUT and when a gateway sees a
 * new version, never per event. Strict: an unknown keyword or format is refused (a typo such as
 * `requried` would otherwise silently check nothing). No remote `$ref` is ever fetched.
 */
function newAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictTuples: false, strictRequired: false, allErrors: false, logger: false });
  addFormats(ajv);
  return ajv;
}

/** Values a new validator is tried on at once, so that a schema recursing without end on any of them is refused at its PUT. */
const PROBES: unknown[] = [{}, [], '', 0, null, true];

/** Compiles `schema`, or says why it cannot be used: ajv's own message. */
export function compileDataSchema(schema: object): { validate: DataValidator } | { error: string } {
  try {
    const ajv = newAjv();
    // Checked against the 2020-12 meta-schema first, so that the reason names `schema/…`, not ajv's `data/…`.
    if (!ajv.validateSchema(schema)) return { error: ajv.errorsText(ajv.errors, { dataVar: 'schema' }) };
    const validate = ajv.compile(schema);
    for (const probe of PROBES) validate(probe);
    return { validate };
  } catch (err) {
    if (err instanceof RangeError) return { error: 'refers to itself without end ($ref recursion that never reaches a value)' };
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** `/items/0/a~1b` → ['items', '0', 'a/b'] (RFC 6901). */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** A field name is cut short like the gateway's other field names (a client's key may be long). */
const MAX_FIELD_NAME = 200;

/** What ajv names in params rather than in the path: a property missing, or one the schema does not allow. */
const NAMED_PROPERTIES: [param: string, message: string][] = [
  ['missingProperty', 'is required'],
  ['additionalProperty', 'is not a known field (the schema allows no other properties)'],
  ['unevaluatedProperty', 'is not a known field (the schema allows no other properties)'],
];

function namedProperty(error: ErrorObject): { name: string; message: string } | undefined {
  const params = error.params as Record<string, unknown>;
  for (const [key, message] of NAMED_PROPERTIES) {
    const name = params[key];
    if (typeof name === 'string') return { name, message };
  }
  return undefined;
}

/**
 * ajv's first error as the API names fields: `data.amount` with ajv's message, a missing property
 * named as the property (`data.customer.id: is required`). `root` is where the value sits in the
 * body (`data`, `example`).
 */
export function fieldErrorOf(error: ErrorObject, root: string): FieldError {
  const segments = pointerSegments(error.instancePath);
  const property = namedProperty(error);
  if (property) segments.push(property.name);
  const name = [root, ...segments].join('.');
  const message = property?.message ?? error.message ?? 'is invalid';
  return { in: 'body', field: name.length > MAX_FIELD_NAME ? `${name.slice(0, MAX_FIELD_NAME)}…` : name, message };
}

/** Runs a validator; undefined when `value` passes, else the failing field. A schema that recurses without end on this value fails it. */
export function checkValue(validate: DataValidator, value: unknown, root: string): FieldError | undefined {
  try {
    if (validate(value)) return undefined;
  } catch (err) {
    if (err instanceof RangeError) return { in: 'body', field: root, message: "could not be checked: the type's schema recurses without end on it" };
    throw err;
  }
  const [first] = validate.errors ?? [];
  return first ? fieldErrorOf(first, root) : { in: 'body', field: root, message: 'does not match the schema' };
}
