import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { confirmationKey, signConfirmation } from '../../src/security/confirmation-token';
import { buildOpenApiDocument } from '../../src/gateway/openapi';
import { createSubscription } from '../helpers/api';
import { type Stack, TEST_TOKEN, useStack } from '../helpers/stack';

// Property: whatever a client sends to any route of the OpenAPI document, the gateway answers
// below 500, every error is problem+json, and a rejected request writes nothing to the ledger.
// FUZZ_RUNS=20000 for a longer run; a failure prints the seed (and the shrunk request) to replay.
// No worker runs: nothing but the request under test writes to the ledger meanwhile.

const RUNS = Number(process.env.FUZZ_RUNS ?? 4000);
const SUBSCRIPTION_URL = 'http://127.0.0.1:9/hook';
const EVENT_IDS = ['fuzz-event-1', 'fuzz-event-2'];
const DELIVERY_IDS = ['dlv_FUZZFAILED', 'dlv_FUZZPENDING'];
/** A declared event type (with a schema) and one only seen, so that the catalog's routes find some. */
const EVENT_TYPES = ['order.created', 'order.shipped'];
const known: string[] = [...EVENT_IDS, ...DELIVERY_IDS, ...EVENT_TYPES];

const stack = useStack({ withoutWorker: true, setup: seed });

/** A subscription, two events and a delivery of each (one failed, one pending), so some ids are found. */
async function seed(s: Stack): Promise<void> {
  const subscription = await createSubscription(s, { url: SUBSCRIPTION_URL, eventTypes: ['order.*'] });
  known.push(subscription.id);
  for (const id of EVENT_IDS) await s.api('POST', '/v1/events', { tenantId: 'default', id, type: 'order.created', data: { n: 1 } });
  await s.api('POST', '/v1/events', { tenantId: 'default', id: 'fuzz-event-3', type: 'order.shipped', data: { n: 1 } });
  const schema = { type: 'object', required: ['n'], properties: { n: { type: 'integer', minimum: 0 } } };
  await s.api('PUT', '/v1/event-types/order.created', { description: 'An order was created.', schema, example: { n: 1 } });
  const at = new Date().toISOString();
  const row = { tenant_id: 'default', event_type: 'order.created', subscription_id: subscription.id, created_at: at, updated_at: at, last_attempt_at: null, next_attempt_at: null, owner: null };
  await s.ledger.db
    .insertInto('deliveries')
    .values([
      { ...row, id: DELIVERY_IDS[0]!, event_id: EVENT_IDS[0]!, status: 'failed', last_error: 'HTTP 500', completed_at: at },
      { ...row, id: DELIVERY_IDS[1]!, event_id: EVENT_IDS[1]!, status: 'pending', last_error: null, completed_at: null },
    ])
    .execute();
}

// ---- JSON text, including what JSON.stringify cannot write (20,000 levels) ----

/** JSON text spliced in as it is. */
class RawJson {
  constructor(readonly text: string) {}
  toString(): string {
    return `RawJson(${this.text.length} chars)`;
  }
}

function jsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const deepJson = fc
  .record({ levels: fc.constantFrom(31, 32, 33, 34, 100, 5000, 10_000, 20_000), arrays: fc.boolean() })
  .map(({ levels, arrays }) => new RawJson(arrays ? '['.repeat(levels) + ']'.repeat(levels) : '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1)));

// ---- values: plausible ones from the route's JSON schema, and hostile ones ----

const hostileString = fc.oneof(
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff', '\uffff', '💩', 'é', '%ZZ', '../..', "' OR 1=1 --", '<script>', 'null', 'x'.repeat(10_000)),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 3 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 3 },
  { arbitrary: fc.constantFrom(null, true, 0, -1, 1e308, -0.5, 2 ** 53 + 1, [], {}), weight: 2 },
  { arbitrary: deepJson, weight: 1 },
);

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  nullable?: boolean;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
}

const isoDate = fc.oneof(
  fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('2026-01-01T00:00:00Z', '2026-01-01T00:00:00.5Z', '2026-02-30T00:00:00Z', '2026-01-01T00:00:00+02:00', '0000-01-01T00:00:00Z', '2026-01-01'),
);

function plausibleString(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.format === 'date-time') return isoDate;
  if (schema.format === 'uri') return fc.oneof(fc.constant(SUBSCRIPTION_URL), fc.webUrl(), fc.constantFrom('not a url', 'ftp://x/', 'http://u:p@x/', 'http://[::1/', 'http://a/\u0000'));
  if (schema.pattern?.startsWith('^[A-Za-z0-9_.:-]')) return fc.oneof(fc.constantFrom(...known), fc.stringMatching(new RegExp(schema.pattern)));
  if (schema.pattern?.startsWith('^whsec_')) return fc.constantFrom('whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3', 'whsec_AAAA', 'whsec_', 'whsec_!!');
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= (schema.maxLength ?? 200));
  return fc.string({ maxLength: schema.maxLength ?? 50 });
}

/** Header-like names: tokens, reserved ones in any case, and ones no token allows. */
const headerName = fc.oneof(
  fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}$/),
  fc.constantFrom('Authorization', 'X-Api-Key', 'x-api-key', 'Connection', 'HOST', 'content-length', 'Content-Type', 'User-Agent', 'webhook-id', 'Webhook-Signature', 'TE', '__proto__', 'constructor'),
  fc.constantFrom('', 'X Space', 'X:Colon', 'X\u0000', 'é', 'x'.repeat(101)),
);
const headerValue = fc.oneof(
  fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,30}$/),
  fc.constantFrom('', ' x', 'x ', 'a\r\nX-Injected: 1', 'a\u0000b', 'tab\there', 'ü', 'v'.repeat(2049)),
  hostileValue,
);

/** A map of names to strings (an endpoint's custom headers): header-like keys, up to past the limit of 20. */
const stringMap = (values: JsonSchema) =>
  fc.oneof(
    fc.dictionary(headerName, fc.oneof({ arbitrary: plausible(values), weight: 1 }, { arbitrary: headerValue, weight: 3 }), { maxKeys: 22 }),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
  );

function plausibleOfType(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map(plausible));
  switch (schema.type) {
    case 'string':
      return plausibleString(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.oneof(fc.nat(1_000_000), fc.double({ noNaN: true }));
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(field(schema.items ?? {}), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, 4) });
    case 'object':
      if (!schema.properties && typeof schema.additionalProperties === 'object' && schema.additionalProperties.type === 'string') return stringMap(schema.additionalProperties);
      return schema.properties ? shapedObject(schema) : fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 5 }), deepJson);
    default:
      return hostileValue;
  }
}

function plausible(schema: JsonSchema): fc.Arbitrary<unknown> {
  const value = plausibleOfType(schema);
  return schema.nullable ? fc.option(value, { nil: null, freq: 5 }) : value;
}

/** Mostly what the schema asks for, sometimes anything. */
function field(schema: JsonSchema): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: plausible(schema), weight: 4 }, { arbitrary: hostileValue, weight: 1 });
}

/** An object with the schema's keys, each present or not, and now and then one it does not know. */
function shapedObject(schema: JsonSchema): fc.Arbitrary<unknown> {
  const fields = Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, s]) => [key, field(s)]));
  return fc
    .tuple(
      fc.oneof(fc.record(fields, { requiredKeys: schema.required ?? [] }), fc.record(fields, { requiredKeys: [] })),
      fc.option(fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'colour'), fc.string({ maxLength: 10 })), hostileValue), { freq: 6 }),
    )
    .map(([object, extra]) => (extra ? { ...object, [extra[0]]: extra[1] } : object));
}

// ---- requests ----

interface Operation {
  method: string;
  template: string;
  body?: JsonSchema;
  query: { name: string; schema: JsonSchema }[];
}

type Op = { requestBody?: { content: Record<string, { schema: JsonSchema }> }; parameters?: { name: string; in: string; schema: JsonSchema }[] };

function operations(): Operation[] {
  const paths = buildOpenApiDocument().paths as unknown as Record<string, Record<string, Op>>;
  return Object.entries(paths).flatMap(([template, ops]) =>
    Object.entries(ops)
      .filter(([method]) => method !== 'parameters')
      .map(([method, op]) => ({
        method: method.toUpperCase(),
        template,
        body: op.requestBody?.content['application/json']?.schema,
        query: (op.parameters ?? []).filter((p) => p.in === 'query'),
      })),
  );
}

/** Every UTF-8 byte as %XX: any string, lone surrogates included, becomes a valid request target. */
const percentEncoded = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
const urlSafe = (s: string) => s.replace(/[^A-Za-z0-9%._~:@!$&'()*+,;=-]/g, (c) => percentEncoded(c));

const key = confirmationKey(TEST_TOKEN);
const confirmationToken = fc
  .record({ deliveryId: fc.constantFrom(...DELIVERY_IDS, 'dlv_NOPE'), attempt: fc.integer({ min: -1, max: 3 }), expiresIn: fc.integer({ min: -60_000, max: 60_000 }) })
  .map(({ deliveryId, attempt, expiresIn }) => signConfirmation({ deliveryId, attempt, expiresAt: Date.now() + expiresIn }, key));

/** Built once the stack is seeded: `known` holds the subscription's id by then. */
const pathValue = () =>
  fc.oneof(
  { arbitrary: fc.constantFrom(...known), weight: 3 },
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,40}$/), weight: 2 },
  { arbitrary: fc.constantFrom('%ZZ', '%C0%AE', '%00', '%', '%2F', '%2e%2e', '..', '.', '%25', '%E0%A4%A', '%FF', '%u0041', 'x'.repeat(201), ''), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map(percentEncoded), weight: 2 },
  { arbitrary: fc.string({ unit: fc.constantFrom(...'aZ09%._~-:@!$&()*+,;=F'), maxLength: 12 }), weight: 2 },
  { arbitrary: confirmationToken, weight: 1 },
  );

const queryString = (op: Operation) =>
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...op.query.map((q) => q.name), 'limit'), fc.string({ maxLength: 6 })),
        fc.oneof(
          ...op.query.map((q) => plausible(q.schema).map(String)),
          hostileString,
          fc.constantFrom('%ZZ', 'abc', '1.5', '0', '100', '1e1'),
        ),
      ),
      { maxLength: op.query.length > 0 ? 4 : 1 },
    )
    .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${urlSafe(k)}=${urlSafe(v)}`).join('&')}`));

const printable = (maxLength: number) => fc.string({ maxLength, unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) });

const contentType = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 8 },
  { arbitrary: fc.constant(null), weight: 1 },
  {
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=UTF-8',
      'application/merge-patch+json',
      'application/json; charset=latin1',
      'application/json; charset=koi8-r',
      'application/json; charset=utf-16',
      'application/json; charset="utf-8"',
      'application/json; charset=',
      'application/json;;;',
      'text/plain',
      'text/plain; charset=utf-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '*/*',
      'application/',
    ),
    weight: 3,
  },
  { arbitrary: printable(30), weight: 1 },
);

const contentEncoding = fc.oneof(
  { arbitrary: fc.constant(null), weight: 6 },
  { arbitrary: fc.constantFrom('identity', 'gzip', 'deflate', 'br', 'br2', 'zstd', 'gzip, br', 'GZIP', 'x-gzip', 'compress', '*'), weight: 1 },
);

const authorization = fc.oneof(
  { arbitrary: fc.constant(`Bearer ${TEST_TOKEN}`), weight: 12 },
  {
    arbitrary: fc.constantFrom(undefined, 'Bearer', 'Bearer ', 'Bearer wrong', `bearer ${TEST_TOKEN}`, `Bearer ${TEST_TOKEN} `, `Bearer  ${TEST_TOKEN}`, `Basic ${Buffer.from(`a:${TEST_TOKEN}`).toString('base64')}`, `Bearer ${'x'.repeat(8000)}`),
    weight: 3,
  },
  { arbitrary: printable(40), weight: 1 },
);

const bodyText = (op: Operation): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 3 },
    { arbitrary: (op.body ? shapedObject(op.body) : fc.dictionary(fc.string({ maxLength: 8 }), hostileValue, { maxKeys: 3 })).map(jsonText), weight: 8 },
    { arbitrary: hostileValue.map(jsonText), weight: 2 },
    { arbitrary: fc.record({ type: fc.constant('order.created'), data: deepJson }).map(jsonText), weight: 2 },
    { arbitrary: fc.constantFrom('{', '{"a":', 'nul', '[1,]', '\u0000', '{"a":1}garbage', "{'a':1}", '', '"text"', '{"type":"order.created","data":{"a":"\\ud800"}}'), weight: 1 },
    { arbitrary: fc.integer({ min: 200_000, max: 300_000 }).map((n) => jsonText({ type: 'order.created', data: { blob: 'x'.repeat(n) } })), weight: 1 },
  );

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** Compresses the body as claimed, or not (a body that does not decompress). */
function encoded(text: string, encoding: string | null, compress: boolean): Buffer {
  const raw = Buffer.from(text, 'utf8');
  if (!compress) return raw;
  if (encoding === 'gzip') return gzipSync(raw);
  if (encoding === 'deflate') return deflateSync(raw);
  if (encoding === 'br') return brotliCompressSync(raw);
  return raw;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'];

function request(ops: Operation[]): fc.Arbitrary<FuzzRequest> {
  return fc.constantFrom(...ops).chain((op) =>
    fc
      .record({
        method: fc.oneof({ arbitrary: fc.constant(op.method), weight: 6 }, { arbitrary: fc.constantFrom(...METHODS), weight: 1 }),
        params: fc.array(pathValue(), { minLength: 2, maxLength: 2 }),
        absoluteForm: fc.oneof({ arbitrary: fc.constant(false), weight: 9 }, { arbitrary: fc.constant(true), weight: 1 }),
        query: queryString(op),
        contentType,
        contentEncoding,
        compress: fc.boolean(),
        authorization,
        idempotencyKey: fc.option(fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,20}$/), fc.constantFrom('', 'a b', 'x'.repeat(201))), { freq: 8 }),
        body: bodyText(op),
      })
      .map((r) => {
        let n = 0;
        const path = (r.absoluteForm ? stack.gatewayUrl : '') + op.template.replace(/\{\w+\}/g, () => r.params[n++]!) + r.query;
        const headers: Record<string, string> = {};
        if (r.authorization !== undefined) headers.authorization = r.authorization;
        if (r.contentType !== null) headers['content-type'] = r.contentType;
        if (r.contentEncoding !== null) headers['content-encoding'] = r.contentEncoding;
        if (r.idempotencyKey !== null) headers['idempotency-key'] = r.idempotencyKey;
        const body = r.body === undefined ? undefined : encoded(r.body, r.contentEncoding, r.compress);
        return described({ method: r.method, path, headers, body });
      })
      // Node answers a head over 16 KB with a bare 431 before the app sees it (see maxHeaderSize).
      .filter((r) => r.path.length + Object.values(r.headers).join('').length < 12_000),
  );
}

const cut = (s: string, n = 200) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);

/** A failing request as fast-check prints it: readable, whatever its size. */
function described(r: FuzzRequest): FuzzRequest {
  const text = () => {
    const headers = Object.entries(r.headers).map(([k, v]) => `${k}: ${cut(v, 80)}`);
    const body = r.body ? `${r.body.length} bytes: ${cut(r.body.toString('utf8'))}` : 'no body';
    return `${r.method} ${cut(r.path)} [${headers.join('; ')}] ${body}`;
  };
  return Object.assign(r, { [fc.toStringMethod]: text });
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

const agent = new http.Agent({ keepAlive: true });

/** node:http, not fetch: any method, any content-type (or none) with a body, any content-encoding. */
function send(r: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(stack.gatewayUrl);
    const headers = { ...r.headers, ...(r.body && { 'content-length': String(r.body.length) }) };
    const req = http.request({ host: url.hostname, port: url.port, method: r.method, path: r.path, headers, agent, timeout: 20_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? '', text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 20 s')));
    req.on('error', reject);
    req.end(r.body);
  });
}

/** One round trip: row counts of every table a request could write, and the latest subscription change. */
async function ledgerState(): Promise<string> {
  const row = await stack.ledger.db
    .selectNoFrom((eb) => [
      eb.selectFrom('subscriptions').select((q) => q.fn.countAll().as('n')).as('subscriptions'),
      eb.selectFrom('subscriptions').select((q) => q.fn.max('updated_at').as('at')).as('changed'),
      eb.selectFrom('subscription_event_types').select((q) => q.fn.countAll().as('n')).as('patterns'),
      eb.selectFrom('events').select((q) => q.fn.countAll().as('n')).as('events'),
      eb.selectFrom('deliveries').select((q) => q.fn.countAll().as('n')).as('deliveries'),
      eb.selectFrom('deliveries').select((q) => q.fn.max('updated_at').as('at')).as('deliveriesChanged'),
      eb.selectFrom('attempts').select((q) => q.fn.countAll().as('n')).as('attempts'),
      eb.selectFrom('event_catalog').select((q) => q.fn.countAll().as('n')).as('catalog'),
      eb.selectFrom('event_catalog').select((q) => q.fn.max('updated_at').as('at')).as('catalogChanged'),
    ])
    .executeTakeFirstOrThrow();
  return JSON.stringify(Object.values(row).map(String));
}

function assertAnswer(r: FuzzRequest, answer: Answer): void {
  const what = `${r.method} ${r.path.slice(0, 200)} → ${answer.status} ${answer.text.slice(0, 300)}`;
  assert.ok(answer.status < 500, what);
  if (answer.status < 400) return;
  assert.match(answer.contentType, /^application\/problem\+json/, what);
  if (r.method === 'HEAD') return;
  const problem = JSON.parse(answer.text) as { status: number; title: string; detail: string };
  assert.equal(problem.status, answer.status, what);
  assert.ok(problem.title && problem.detail, what);
}

test(`${RUNS} random requests over every route: never a 5xx, errors are problem+json, a rejection writes nothing`, { timeout: 600_000 }, async () => {
  const statuses = new Map<number, number>();
  const started = performance.now();
  const property = fc.asyncProperty(request(operations()), async (r) => {
    const before = await ledgerState();
    const answer = await send(r);
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    assertAnswer(r, answer);
    if (answer.status >= 400) assert.equal(await ledgerState(), before, `${r.method} ${r.path.slice(0, 200)} → ${answer.status} wrote to the ledger`);
  });
  await fc.assert(property, { numRuns: RUNS });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const counts = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
  console.log(`fuzz: ${RUNS} requests in ${seconds} s: ${counts}`);
  assert.ok([...statuses.keys()].some((s) => s < 300), 'some requests were valid');
});
