import assert from 'node:assert/strict';
import { test } from 'node:test';
import specs from '@asyncapi/specs';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { buildAsyncApiDocument } from '../../src/catalog/asyncapi';
import { EventSchemas } from '../../src/catalog/event-schemas';
import { checkValue, compileDataSchema, pointerSegments } from '../../src/catalog/json-schema';
import { putEventTypeSchema } from '../../src/catalog/model';
import { OPERATIONAL_CATALOG, withOperationalTypes } from '../../src/catalog/operational';
import { OPERATIONAL_EVENT_TYPES } from '../../src/filters/event-types';
import { mergedCatalog } from '../../src/catalog/views';
import { ValidationError } from '../../src/model/errors';
import { parseInput } from '../../src/gateway/validate';
import type { DeclaredEventType, SchemaVersion } from '../../src/store/ledger';

// The catalog's pure parts: schema compilation and error paths, the PUT body's limits, the merged
// list, the validator cache's refresh bound, and the AsyncAPI document against AsyncAPI's own schema.

const ORDER_SCHEMA = {
  type: 'object',
  required: ['orderId', 'amount'],
  properties: {
    orderId: { type: 'integer' },
    amount: { $ref: '#/$defs/money' },
    items: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' }, qty: { type: 'integer', minimum: 1 } } } },
    email: { type: 'string', format: 'email' },
  },
  additionalProperties: false,
  $defs: { money: { type: 'number', minimum: 0 } },
};

function validatorOf(schema: object) {
  const result = compileDataSchema(schema);
  assert.ok('validate' in result, JSON.stringify(result));
  return result.validate;
}

test('a failing value is named by its path in the body, with ajv’s message', () => {
  const validate = validatorOf(ORDER_SCHEMA);
  assert.equal(checkValue(validate, { orderId: 1, amount: 5 }, 'data'), undefined);
  assert.deepEqual(checkValue(validate, { orderId: 1, amount: 'x' }, 'data'), { in: 'body', field: 'data.amount', message: 'must be number' });
  assert.deepEqual(checkValue(validate, { orderId: 1 }, 'data'), { in: 'body', field: 'data.amount', message: 'is required' });
  assert.deepEqual(checkValue(validate, { orderId: 1, amount: 1, items: [{ qty: 1 }, { qty: 0 }] }, 'data'), { in: 'body', field: 'data.items.1.qty', message: 'must be >= 1' });
  assert.deepEqual(checkValue(validate, { orderId: 1, amount: 1, colour: 'red' }, 'data'), {
    in: 'body',
    field: 'data.colour',
    message: 'is not a known field (the schema allows no other properties)',
  });
  assert.deepEqual(checkValue(validate, { orderId: 1, amount: 1, email: 'nope' }, 'example'), { in: 'body', field: 'example.email', message: 'must match format "email"' });
  assert.deepEqual(pointerSegments('/a~1b/~0c/0'), ['a/b', '~c', '0']);
});

test('a schema that is not valid 2020-12 is refused with the compiler’s reason', () => {
  for (const [schema, reason] of [
    [{ type: 'strin' }, /^schema\/type must be equal to one of the allowed values/],
    [{ requried: ['a'] }, /unknown keyword: "requried"/],
    [{ type: 'string', format: 'colour' }, /unknown format "colour"/],
    [{ $ref: 'https://example.com/schema.json' }, /can't resolve reference/],
    [{ pattern: '(' }, /Invalid regular expression|pattern/],
    [{ $ref: '#' }, /refers to itself without end/],
  ] as const) {
    const result = compileDataSchema(schema);
    assert.ok('error' in result && reason.test(result.error), `${JSON.stringify(schema)}: ${JSON.stringify(result)}`);
  }
});

test('a data schema recursing without end on one value fails that value, not the gateway', () => {
  const validate = validatorOf({ properties: { a: { if: { type: 'array' }, then: { $ref: '#/properties/a' } } } });
  assert.equal(checkValue(validate, { a: 1 }, 'data'), undefined);
  assert.equal(checkValue(validate, { a: [] }, 'data')?.field, 'data');
});

function putErrors(body: unknown): string[] {
  try {
    parseInput(putEventTypeSchema, body, 'body');
    return [];
  } catch (err) {
    assert.ok(err instanceof ValidationError);
    return err.fields.map((f) => `${f.field}: ${f.message}`);
  }
}

test('PUT bodies: each field has its limits and a 400 naming it', () => {
  assert.deepEqual(putErrors({ description: 'An order', schema: ORDER_SCHEMA, example: { orderId: 1, amount: 2 } }), []);
  const deep = JSON.parse('{"items":'.repeat(40) + '{}' + '}'.repeat(40)) as object;
  const cases: [unknown, RegExp][] = [
    [{}, /^description: is required$/],
    [{ description: '' }, /^description: /],
    [{ description: 'x'.repeat(2001) }, /^description: /],
    [{ description: 'a\u0000b' }, /^description: must not contain NUL/],
    [{ description: 'd', schema: { type: 'strin' } }, /^schema: is not a valid JSON Schema \(2020-12\): schema\/type must be equal to one of the allowed values/],
    [{ description: 'd', schema: [] }, /^schema: /],
    [{ description: 'd', schema: deep }, /^schema: nests deeper than 32 levels$/],
    [{ description: 'd', schema: { description: 'x'.repeat(40_000) } }, /^schema: is larger than 32 KiB/],
    [{ description: 'd', schema: ORDER_SCHEMA, example: { orderId: 1, amount: -1 } }, /^example\.amount: does not match the schema: must be >= 0$/],
    [{ description: 'd', example: 'text' }, /^example: /],
    [{ description: 'd', example: { blob: 'x'.repeat(17_000) } }, /^example: must be at most 16 KiB/],
    [{ description: 'd', deprecated: 'yes' }, /^deprecated: /],
    [{ description: 'd', deprecatedMessage: 'use v2' }, /^deprecatedMessage: needs deprecated: true$/],
    [{ description: 'd', deprecated: true, replacedBy: 'order created' }, /^replacedBy: must be dot-separated/],
    [{ description: 'd', colour: 'red' }, /^colour: is not a known field$/],
  ];
  for (const [body, expected] of cases) {
    const errors = putErrors(body);
    assert.ok(errors.some((e) => expected.test(e)), `${JSON.stringify(body).slice(0, 100)} → ${JSON.stringify(errors)}`);
  }
});

const declared = (type: string, extra: Partial<DeclaredEventType> = {}): DeclaredEventType => ({
  type,
  description: `${type} happened`,
  schema: null,
  example: null,
  deprecated: false,
  deprecatedAt: null,
  deprecatedMessage: null,
  replacedBy: null,
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

test('the list keeps the seen types first, most recent first, then declared types not seen yet', () => {
  const seen = [
    { type: 'order.shipped', lastSeenAt: '2026-01-03T00:00:00.000Z' },
    { type: 'order.created', lastSeenAt: '2026-01-02T00:00:00.000Z' },
  ];
  const merged = mergedCatalog(seen, [declared('order.created'), declared('invoice.paid')]);
  assert.deepEqual(
    merged.map((e) => [e.type, e.lastSeenAt, e.declared]),
    [
      ['order.shipped', '2026-01-03T00:00:00.000Z', false],
      ['order.created', '2026-01-02T00:00:00.000Z', true],
      ['invoice.paid', null, true],
    ],
  );
  assert.deepEqual(merged[0], { type: 'order.shipped', lastSeenAt: '2026-01-03T00:00:00.000Z', declared: false });
  assert.equal(merged[1]!.description, 'order.created happened');
  assert.ok(!('version' in merged[1]!));
});

test('compiled validators are reused while fresh, re-read after the bound, recompiled only for a new version', async () => {
  let rows: SchemaVersion[] = [{ type: 'a.b', version: 1, schema: JSON.stringify({ type: 'object', required: ['x'] }), deprecatedAt: null }];
  let reads = 0;
  const schemas = new EventSchemas({ schemaVersions: async (types) => (reads++, rows.filter((r) => types.includes(r.type))) }, 50);
  assert.equal((await schemas.check([{ type: 'a.b', data: {} }]))[0]!.problem?.field, 'data.x');
  assert.equal((await schemas.check([{ type: 'a.b', data: { x: 1 } }, { type: 'c.d', data: {} }]))[1]!.problem, undefined);
  assert.equal(reads, 2, 'one read per request, for the types not known yet');
  await schemas.check([{ type: 'a.b', data: {} }]);
  assert.equal(reads, 2, 'a fresh entry is not read again');
  rows = [{ type: 'a.b', version: 2, schema: null, deprecatedAt: '2026-01-01T00:00:00.000Z' }];
  await new Promise((resolve) => setTimeout(resolve, 60));
  const [check] = await schemas.check([{ type: 'a.b', data: {} }]);
  assert.deepEqual(check, { deprecatedAt: '2026-01-01T00:00:00.000Z' }, 'the new version is seen after the bound');
  rows = [];
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.deepEqual(await schemas.check([{ type: 'a.b', data: {} }]), [{ deprecatedAt: null }], 'a deleted declaration is seen too');
});

test('the AsyncAPI document is valid AsyncAPI 3.0.0, and each payload validates the type’s Standard Webhooks envelope', () => {
  const catalog = [
    declared('order.created', { schema: ORDER_SCHEMA, example: { orderId: 1, amount: 2 } }),
    declared('order.placed', { deprecated: true, deprecatedAt: '2026-01-01T00:00:00.000Z', deprecatedMessage: 'Use order.created.', replacedBy: 'order.created' }),
    declared('invoice.paid'),
  ];
  const document = buildAsyncApiDocument(catalog);
  // The bundle carries its own copy of the draft-07 meta-schema, so ajv's is left out.
  const ajv = new Ajv({ strict: false, allErrors: true, meta: false, validateSchema: false });
  addFormats(ajv);
  const validate = ajv.compile(specs.schemas['3.0.0']);
  assert.ok(validate(document), JSON.stringify(validate.errors, null, 2));
  assert.ok(!validate({ ...document, asyncapi: '2.6.0' }), 'the schema does check the document');
  assert.ok(validate(buildAsyncApiDocument([])), 'an empty catalog is a valid document too');

  const message = (document.components.messages as Record<string, { payload: { schemaFormat: string; schema: object }; examples?: { payload: unknown }[] }>)['order.created']!;
  assert.equal(message.payload.schemaFormat, 'application/schema+json;version=2020-12');
  const envelope = new Ajv2020({ strict: false });
  addFormats(envelope);
  const check = envelope.compile(message.payload.schema);
  assert.ok(check(message.examples![0]!.payload), JSON.stringify(check.errors));
  assert.ok(check({ type: 'order.created', timestamp: '2026-01-01T00:00:00.000Z', data: { orderId: 1, amount: 2 } }));
  assert.ok(!check({ type: 'order.created', timestamp: '2026-01-01T00:00:00.000Z', data: { orderId: 1, amount: -2 } }), 'the $defs ref resolves within the data schema');
  assert.ok(!check({ type: 'order.placed', timestamp: '2026-01-01T00:00:00.000Z', data: { orderId: 1, amount: 2 } }));
  assert.deepEqual(Object.keys(document.channels), ['order.created', 'order.placed', 'invoice.paid']);
});

test("the service's own types are in the catalog: each schema compiles strictly, its example matches, and AsyncAPI carries them", () => {
  assert.deepEqual(OPERATIONAL_CATALOG.map((e) => e.type), [...OPERATIONAL_EVENT_TYPES]);
  for (const entry of OPERATIONAL_CATALOG) {
    const compiled = compileDataSchema(entry.schema!);
    assert.ok('validate' in compiled, `${entry.type}: ${'error' in compiled ? compiled.error : ''}`);
    assert.equal(checkValue(compiled.validate, entry.example, 'example'), undefined, entry.type);
  }
  const document = buildAsyncApiDocument(withOperationalTypes([declared('invoice.paid')]));
  assert.deepEqual(Object.keys(document.channels), ['invoice.paid', ...OPERATIONAL_EVENT_TYPES]);
  const ajv = new Ajv({ strict: false, allErrors: true, meta: false, validateSchema: false });
  addFormats(ajv);
  const validate = ajv.compile(specs.schemas['3.0.0']);
  assert.ok(validate(document), JSON.stringify(validate.errors, null, 2));
});
