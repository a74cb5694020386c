import assert from 'node:assert/strict';
import { test } from 'node:test';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import express from 'express';
import { buildOpenApiDocument } from '../../src/gateway/openapi';
import { problemHandler } from '../../src/gateway/problem';
import { createLogger } from '../../src/core/logger';
import { eventBatchResultSchema } from '../../src/model';
import { createSubscription } from '../helpers/api';
import { TEST_TOKEN, useStack } from '../helpers/stack';

// Requests an attacker would try, each of which once answered 500. Every one is a 4xx
// problem+json naming what is wrong, logged below error level, and writes nothing.
const stack = useStack({
  withoutWorker: true,
  captureLogs: true,
  setup: (s) => createSubscription(s, { url: 'http://127.0.0.1:9/hook', eventTypes: ['order.*'] }),
});

type FieldError = { in: string; field: string; message: string };
type Problem = { status: number; title: string; detail: string; errors?: FieldError[] };

interface Sent {
  status: number;
  type: string;
  problem: Problem;
}

interface Request {
  method?: string;
  headers?: Record<string, string>;
  /** A string is sent as it is; a Uint8Array is sent without any content-type. */
  body?: string | Uint8Array;
  token?: boolean;
}

async function send(path: string, { method = 'POST', headers = {}, body, token = true }: Request = {}): Promise<Sent> {
  const res = await fetch(`${stack.gatewayUrl}${path}`, {
    method,
    headers: { ...(token && { authorization: `Bearer ${TEST_TOKEN}` }), ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', problem: text ? (JSON.parse(text) as Problem) : ({} as Problem) };
}

const json = (value: unknown, contentType = 'application/json') => ({ headers: { 'content-type': contentType }, body: JSON.stringify(value) });

/** Asserts a problem+json with `status` and exactly these `in:field` errors (when given). */
function assertProblem(res: Sent, status: number, fields?: string[]): void {
  assert.equal(res.status, status, JSON.stringify(res.problem));
  assert.match(res.type, /^application\/problem\+json/);
  assert.equal(res.problem.status, status);
  assert.ok(res.problem.title && res.problem.detail);
  if (fields) assert.deepEqual((res.problem.errors ?? []).map((e) => `${e.in}:${e.field}`).sort(), [...fields].sort());
}

function messageOf(res: Sent, field: string): string | undefined {
  return res.problem.errors?.find((e) => e.field === field)?.message;
}

/** Row counts and the latest change of every table a request could write. */
async function ledgerState(): Promise<string> {
  const db = stack.ledger.db;
  const counts = await Promise.all(
    (['subscriptions', 'subscription_event_types', 'events', 'deliveries', 'attempts'] as const).map(async (table) => {
      const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
      return `${table}=${Number(row.n)}`;
    }),
  );
  const latest = await db.selectFrom('subscriptions').select((eb) => eb.fn.max('updated_at').as('at')).executeTakeFirst();
  return [...counts, `subscriptions.updated_at=${latest?.at}`].join(' ');
}

/** Runs `request`, asserting the ledger is the same afterwards. */
async function rejected(request: () => Promise<Sent>): Promise<Sent> {
  const before = await ledgerState();
  const res = await request();
  assert.equal(await ledgerState(), before, 'a rejected request wrote to the ledger');
  return res;
}

const logLines = () => stack.logs.map((line) => JSON.parse(line) as { level: number; msg: string; path?: string; status?: number });

test('a confirmation URL that does not percent-decode is a 400 naming the token, without the API token', async () => {
  for (const token of ['%ZZ', '%', '%C0%AE', 'abc%E0%A4%A']) {
    const res = await rejected(() => send(`/v1/confirmations/${token}`, { token: false }));
    assertProblem(res, 400, ['path:token']);
    assert.equal(messageOf(res, 'token'), 'is not valid percent-encoding');
  }
  assertProblem(await send('/v1/confirmations/%00', { token: false }), 400, ['path:token']);
  assertProblem(await send('/v1/confirmations/not-signed.at-all', { token: false }), 403);
});

test('%ZZ, %C0%AE, %00 or a 201-character id in any path id is a 400 naming the id, on every route', async () => {
  const paths = buildOpenApiDocument().paths as Record<string, Record<string, unknown>>;
  const routes = Object.entries(paths).flatMap(([template, ops]) =>
    template.includes('{id}') ? Object.keys(ops).filter((k) => k !== 'parameters').map((method) => [method.toUpperCase(), template] as const) : [],
  );
  assert.ok(routes.length >= 12, `${routes.length} routes with an id`);
  for (const [method, template] of routes) {
    for (const id of ['%ZZ', '%C0%AE', '%00', 'a%2Fb', '%F0%9F%92%A9', 'x'.repeat(201)]) {
      const res = await rejected(() => send(template.replace('{id}', id).replace(/\{\w+\}/g, 'valid_id'), { method, ...(method !== 'GET' && method !== 'DELETE' && json({})) }));
      assertProblem(res, 400, ['path:id']);
    }
  }
  // Case and a trailing slash do not get a path around the check.
  assertProblem(await send('/V1/Deliveries/%ZZ/', { method: 'GET' }), 400, ['path:id']);
  assertProblem(await send('/v1/deliveries/%ZZ', { method: 'GET', token: false }), 401);
});

/** A request written by hand: an absolute-form target (`GET http://host/path`) that fetch never sends. */
async function absoluteForm(path: string, headers: Record<string, string> = {}): Promise<Sent> {
  const url = new URL(stack.gatewayUrl);
  const socket = net.connect(Number(url.port), url.hostname);
  await once(socket, 'connect');
  const head = Object.entries({ host: url.host, connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`);
  socket.end(`GET ${stack.gatewayUrl}${path} HTTP/1.1\r\n${head.join('')}\r\n`);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const [responseHead = '', body = ''] = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d+)/.exec(responseHead)?.[1]);
  const type = /^content-type: (.*)$/im.exec(responseHead)?.[1] ?? '';
  return { status, type, problem: JSON.parse(body) as Problem };
}

test('an absolute-form request target gets the same checks', async () => {
  const res = await rejected(() => absoluteForm('/v1/deliveries/%00', { authorization: `Bearer ${TEST_TOKEN}` }));
  assertProblem(res, 400, ['path:id']);
  assertProblem(await absoluteForm('/v1/confirmations/%ZZ'), 400, ['path:token']);
});

test('an unknown Content-Encoding is a 415 naming it; a body that does not gunzip is a 400', async () => {
  const event = JSON.stringify({ tenantId: 'default', type: 'order.created', data: {} });
  for (const encoding of ['br2', 'gzip, br', 'compress']) {
    const res = await rejected(() => send('/v1/events', { headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body: event }));
    assertProblem(res, 415, ['header:content-encoding']);
  }
  const notGzip = await rejected(() => send('/v1/events', { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: event }));
  assertProblem(notGzip, 400);
  // A real gzip body is read.
  const gzipped = await send('/v1/events', {
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: new Uint8Array(gzipSync(JSON.stringify({ tenantId: 'default', type: 'order.created', data: {}, id: 'gz-1' }))),
  });
  assert.equal(gzipped.status, 202, JSON.stringify(gzipped.problem));
});

test('a charset other than utf-8 is a 415 naming content-type', async () => {
  const body = JSON.stringify({ tenantId: 'default', type: 'order.created', data: {} });
  for (const contentType of ['application/json; charset=latin1', 'application/json; charset=koi8-r', 'application/json; charset="utf-16"', 'application/json;charset=utf8']) {
    const res = await rejected(() => send('/v1/events', { headers: { 'content-type': contentType }, body }));
    assertProblem(res, 415, ['header:content-type']);
  }
  const utf8 = await send('/v1/events', { headers: { 'content-type': 'application/json; charset=UTF-8' }, body: JSON.stringify({ tenantId: 'default', id: 'cs-1', type: 'order.created', data: {} }) });
  assert.equal(utf8.status, 202);
});

test('only JSON bodies are read: text/plain, a form or no content-type is a 415; +json is JSON', async () => {
  const body = JSON.stringify({ tenantId: 'default', type: 'order.created', data: {} });
  for (const contentType of ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'application/jsonp', 'json', '']) {
    const res = await rejected(() => send('/v1/events', { headers: { 'content-type': contentType }, body }));
    assertProblem(res, 415, ['header:content-type']);
  }
  assertProblem(await rejected(() => send('/v1/events', { body: new TextEncoder().encode(body) })), 415, ['header:content-type']);
  const merge = await send('/v1/events', json({ tenantId: 'default', id: 'pj-1', type: 'order.created', data: {} }, 'application/merge-patch+json'));
  assert.equal(merge.status, 202);
});

test('a POST without a body needs no content-type (and an empty one is no body)', async () => {
  await stack.api('POST', '/v1/events', { tenantId: 'default', id: 'to-cancel', type: 'order.created', data: {} });
  const bare = await send('/v1/events/to-cancel/cancel');
  assert.equal(bare.status, 202, JSON.stringify(bare.problem));
  const emptyText = await send('/v1/events/to-cancel/cancel', { headers: { 'content-type': 'text/plain; charset=latin1' }, body: '' });
  assert.equal(emptyText.status, 202, JSON.stringify(emptyText.problem));
  const noBodyEvent = await rejected(() => send('/v1/events'));
  assertProblem(noBodyEvent, 400, ['body:data', 'body:type']);
});

/** `{"a": {"a": … {}}}` with `levels` objects. */
function nested(levels: number): string {
  return '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);
}

test('data nesting deeper than 32 levels is a 400 naming data, before anything is written', async () => {
  const deep = await rejected(() => send('/v1/events', { headers: { 'content-type': 'application/json' }, body: `{"tenantId":"default","type":"order.created","data":${nested(20_000)}}` }));
  assertProblem(deep, 400, ['body:data']);
  assert.equal(messageOf(deep, 'data'), 'nests deeper than 32 levels');
  const arrays = await rejected(() => send('/v1/events', { headers: { 'content-type': 'application/json' }, body: `{"tenantId":"default","type":"order.created","data":{"a":${'['.repeat(40)}${']'.repeat(40)}}}` }));
  assertProblem(arrays, 400, ['body:data']);
  assertProblem(await rejected(() => send('/v1/events', { headers: { 'content-type': 'application/json' }, body: `{"tenantId":"default","type":"order.created","data":${nested(33)}}` })), 400, ['body:data']);
  const limit = await send('/v1/events', { headers: { 'content-type': 'application/json' }, body: `{"tenantId":"default","id":"deep-32","type":"order.created","data":${nested(32)}}` });
  assert.equal(limit.status, 202, JSON.stringify(limit.problem));
  // Deep nesting elsewhere is just the wrong type.
  assertProblem(await rejected(() => send('/v1/subscriptions', { headers: { 'content-type': 'application/json' }, body: `{"url":"http://127.0.0.1:9/","eventTypes":${'['.repeat(20_000)}${']'.repeat(20_000)}}` })), 400, ['body:eventTypes.0']);
});

test('a number JSON cannot keep (1e400 parses as Infinity) is a 400 naming its place in data, not a stored null', async () => {
  const raw = (data: string) => ({ headers: { 'content-type': 'application/json' }, body: `{"tenantId":"default","type":"order.created","data":${data}}` });
  const single = await rejected(() => send('/v1/events', raw('{"amount":1e400,"ok":1.5,"items":[{"qty":-1e999}]}')));
  assertProblem(single, 400, ['body:data.amount', 'body:data.items.0.qty']);
  assert.match(messageOf(single, 'data.amount')!, /finite number/);
  const [sub] = (await stack.api('GET', '/v1/subscriptions')).body.data as { id: string }[];
  const test = await rejected(() => send(`/v1/subscriptions/${sub!.id}/test`, { headers: { 'content-type': 'application/json' }, body: '{"data":{"n":1E+309}}' }));
  assertProblem(test, 400, ['body:data.n']);
  // In a batch the bad item is a 400 naming its fields by place; its neighbour is recorded.
  const batch = await send('/v1/events/batch', {
    headers: { 'content-type': 'application/json' },
    body: '{"events":[{"tenantId":"default","id":"finite-ok","type":"order.created","data":{"n":1e308}},{"tenantId":"default","type":"order.created","data":{"a":{"b":-1e400}}}]}',
  });
  assert.equal(batch.status, 207);
  const { results } = eventBatchResultSchema.parse(batch.problem);
  assert.deepEqual(results.map((r) => r.status), [202, 400]);
  const bad = results[1]!;
  assert.deepEqual(bad.status === 400 && bad.errors.map((e) => e.field), ['events.1.data.a.b']);
  assert.deepEqual((await stack.ledger.events.get('finite-ok'))?.data, { n: 1e308 });
});

test('limit=abc says it must be an integer; limit=1&limit=2 says it must be given once', async () => {
  for (const path of ['/v1/subscriptions', '/v1/deliveries']) {
    const abc = await send(`${path}?limit=abc`, { method: 'GET' });
    assertProblem(abc, 400, ['query:limit']);
    assert.equal(messageOf(abc, 'limit'), 'must be an integer');
    const twice = await send(`${path}?limit=1&limit=2`, { method: 'GET' });
    assertProblem(twice, 400, ['query:limit']);
    assert.equal(messageOf(twice, 'limit'), 'must be given once');
    assert.equal(messageOf(await send(`${path}?limit=1.5`, { method: 'GET' }), 'limit'), 'must be an integer');
    assert.equal(messageOf(await send(`${path}?limit=0`, { method: 'GET' }), 'limit'), 'must be between 1 and 100');
    assertProblem(await send(`${path}?cursor=%00`, { method: 'GET' }), 400, ['query:cursor']);
  }
  assertProblem(await send('/v1/deliveries?eventId=a%00b&subscriptionId=x%20y', { method: 'GET' }), 400, ['query:eventId', 'query:subscriptionId']);
  // A wrong type is named as such, not as missing.
  const wrongType = await rejected(() => send('/v1/events', json({ tenantId: 'default', type: 5, data: [] })));
  assertProblem(wrongType, 400, ['body:data', 'body:type']);
  assert.ok(wrongType.problem.errors!.every((e) => e.message !== 'is required'), JSON.stringify(wrongType.problem.errors));
});

test('bulk retry with since after until is a 400 naming until, like a replay; instants are compared, not strings', async () => {
  const later = { since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' };
  assertProblem(await send('/v1/deliveries/retry', json(later)), 400, ['body:until']);
  assertProblem(await send('/v1/deliveries/retry', json({ since: later.until, until: later.until })), 400, ['body:until']);
  // As text "…00Z" sorts after "…00.500Z"; as instants it is before.
  assertProblem(await send('/v1/deliveries/retry', json({ since: '2026-01-01T00:00:00.500Z', until: '2026-01-01T00:00:00Z' })), 400, ['body:until']);
  const sub = (await stack.api('GET', '/v1/subscriptions')).body.data as { id: string }[];
  const replay = await send(`/v1/subscriptions/${sub[0]!.id}/replay`, json(later));
  assertProblem(replay, 400, ['body:until']);
  const ok = await send('/v1/deliveries/retry', json({ since: '2026-01-01T00:00:00Z', until: '2026-01-01T00:00:00.500Z' }));
  assert.equal(ok.status, 202, JSON.stringify(ok.problem));
  assertProblem(await send('/v1/deliveries/retry', json({ subscriptionId: 'a\u0000b' })), 400, ['body:subscriptionId']);
});

test('other input that reached the ledger as it was: NUL in a description, a bad Idempotency-Key', async () => {
  const nul = await rejected(() => send('/v1/subscriptions', json({ tenantId: 'default', url: 'http://127.0.0.1:9/', eventTypes: ['*'], description: 'a\u0000b' })));
  assertProblem(nul, 400, ['body:description']);
  const key = await rejected(() => send('/v1/events', { ...json({ tenantId: 'default', type: 'order.created', data: {} }), headers: { 'content-type': 'application/json', 'idempotency-key': 'has space' } }));
  assertProblem(key, 400, ['header:Idempotency-Key']);
});

/** An app that only throws `error`, behind the gateway's problem handler; log lines are kept. */
async function answerOf(error: Error): Promise<{ status: number; type: string; problem: Problem; levels: number[] }> {
  const lines: string[] = [];
  const app = express();
  app.get('/', () => {
    throw error;
  });
  app.use(problemHandler(createLogger('test', 'debug', { write: (line: string) => void lines.push(line) })));
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const levels = lines.map((l) => (JSON.parse(l) as { level: number }).level);
    return { status: res.status, type: res.headers.get('content-type') ?? '', problem: (await res.json()) as Problem, levels };
  } finally {
    server.close();
  }
}

test("a library's own 4xx (http-errors: status or statusCode, expose) is kept, never a 500", async () => {
  const teapot = await answerOf(Object.assign(new Error('short and stout'), { status: 418, expose: true }));
  assert.deepEqual([teapot.status, teapot.problem.status, teapot.problem.detail], [418, 418, 'short and stout']);
  assert.match(teapot.type, /^application\/problem\+json/);
  // Not exposed: the status stays, the message does not.
  const hidden = await answerOf(Object.assign(new Error('internal words'), { statusCode: 429, expose: false }));
  assert.deepEqual([hidden.status, hidden.problem.detail], [429, 'Too Many Requests']);
  const undecodable = await answerOf(Object.assign(new URIError("Failed to decode param '%ZZ'"), { status: 400 }));
  assert.equal(undecodable.status, 400);
  for (const answer of [teapot, hidden, undecodable]) assert.deepEqual(answer.levels, [30], 'logged once, at info');
  // What is not a client error stays a 500, logged as an error.
  const bug = await answerOf(Object.assign(new Error('bug'), { status: 502 }));
  assert.deepEqual([bug.status, bug.levels], [500, [50]]);
});

test('client errors are logged at info, never as errors, and a confirmation token stays out of the log', async () => {
  await send('/v1/confirmations/secret-capability-token.zz%ZZ', { token: false });
  await send('/v1/events', { headers: { 'content-type': 'text/plain' }, body: '{}' });
  const lines = logLines();
  assert.deepEqual(lines.filter((l) => l.level >= 50).map((l) => l.msg), [], 'no error-level lines');
  const rejections = lines.filter((l) => l.msg === 'request rejected');
  assert.ok(rejections.length > 20, `${rejections.length} rejections logged`);
  assert.ok(rejections.every((l) => l.level === 30 && l.status! >= 400 && l.status! < 500));
  assert.ok(rejections.some((l) => l.path === '/v1/confirmations/[redacted]'));
  assert.equal(stack.logs.join('\n').includes('secret-capability-token'), false);
});

// zod's URL check lets NUL through in a path, and PostgreSQL's text columns refuse it.
test('a receiver URL with NUL in it is a 400 naming url', async () => {
  const res = await rejected(() => send('/v1/subscriptions', json({ url: 'http://example.com/a\u0000b', eventTypes: ['*'] })));
  assertProblem(res, 400, ['body:url']);
});

/** Sends raw bytes to the gateway and returns its whole answer (it closes the connection). */
function rawRequest(bytes: string): Promise<string> {
  const { hostname, port } = new URL(stack.gatewayUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

test('requests Node refuses before express (a huge head, an unknown method) get problem+json too', async () => {
  const huge = await rawRequest(`GET /v1/events HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`);
  assert.match(huge, /^HTTP\/1\.1 431 /);
  assert.match(huge, /content-type: application\/problem\+json/);
  assert.equal(JSON.parse(huge.slice(huge.indexOf('\r\n\r\n') + 4)).status, 431);
  const unknown = await rawRequest('FROB /v1/events HTTP/1.1\r\nhost: x\r\n\r\n');
  assert.match(unknown, /^HTTP\/1\.1 400 /);
  assert.match(unknown, /content-type: application\/problem\+json/);
});
