import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, urlForLog } from '../../src/core/logger';
import { createSubscription, waitForEventDone } from '../helpers/api';
import { TestReceiver } from '../helpers/receiver';
import { TEST_TOKEN, useStack } from '../helpers/stack';

const receiver = new TestReceiver((_req, nth) => (nth === 1 ? { status: 500 } : { status: 200 }));
const stack = useStack({ captureLogs: true }, receiver);

test('logs are JSON lines carrying event and delivery ids, and never a secret or the API token', async () => {
  const sub = await createSubscription(stack, { url: receiver.url('/log'), eventTypes: ['audit.*'], retrySchedule: ['0', '10ms'] });
  const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'audit.logged', data: {} });
  const eventId = posted.body.id as string;
  const [delivery] = await waitForEventDone(stack, eventId, 1);

  const lines = stack.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(lines.some((l) => l.eventId === eventId && l.msg === 'event accepted'));
  assert.ok(lines.some((l) => l.eventId === eventId && l.deliveryId === delivery!.id && l.msg === 'attempt failed'));
  assert.ok(lines.some((l) => l.eventId === eventId && l.deliveryId === delivery!.id && l.msg === 'delivery succeeded'));
  const all = stack.logs.join('\n');
  assert.equal(all.includes(sub.secret), false, 'the signing secret is not logged');
  assert.equal(all.includes(sub.secret.slice('whsec_'.length)), false);
  assert.equal(all.includes(TEST_TOKEN), false, 'the API token is not logged');
});

test('logs show a receiver URL as origin and path, never its query string, from creation to delivery', async () => {
  const url = receiver.url('/in?api_key=query-secret-4711&sig=abc');
  const sub = await createSubscription(stack, { url, eventTypes: ['query.*'] });
  assert.equal(sub.url, url, 'the subscription itself keeps the whole URL');
  const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'query.sent', data: {} });
  const [delivery] = await waitForEventDone(stack, posted.body.id as string, 1);
  assert.equal(delivery!.status, 'succeeded');
  assert.equal(receiver.to('/in?api_key=query-secret-4711&sig=abc').length, 2, 'the receiver got its query string');

  const created = stack.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.subscriptionId === sub.id);
  assert.equal(created?.msg, 'subscription created');
  assert.equal(created?.url, receiver.url('/in'));
  const all = stack.logs.join('\n');
  assert.equal(all.includes('query-secret-4711'), false);
  assert.equal(all.includes('api_key'), false);
});

test('any url field a log line carries is cut to origin and path: no query, fragment or credentials', () => {
  const lines: string[] = [];
  const logger = createLogger('test', 'info', { write: (line: string) => void lines.push(line) });
  logger.info({ url: 'https://user:pa55@hooks.example.com:8443/in/x?token=t0k#frag' }, 'a line that forgot urlForLog');
  logger.child({ url: 'http://hooks.example.com/child?k=v' }).info('a child logger');
  assert.deepEqual(
    lines.map((l) => (JSON.parse(l) as { url: string }).url),
    ['https://hooks.example.com:8443/in/x', 'http://hooks.example.com/child'],
  );
  assert.doesNotMatch(lines.join('\n'), /pa55|t0k|frag|k=v/);
  assert.equal(urlForLog('not a url ?secret=1'), '[not a URL]');
});

test("an endpoint's custom headers and the egress proxy's URL are redacted wherever a line carries them", () => {
  const lines: string[] = [];
  const logger = createLogger('test', 'info', { write: (line: string) => void lines.push(line) });
  const headers = { 'X-Api-Key': 'hdr-value-1' };
  logger.info({ headers }, 'top level');
  logger.info({ subscription: { id: 'sub_1', headers } }, 'nested once');
  logger.info({ body: { subscription: { headers } } }, 'nested twice');
  logger.info({ proxyUrl: 'http://relay:px-pa55@proxy:3128', config: { WEBHOOK_PROXY_URL: 'http://relay:px-pa55@proxy:3128' } }, 'proxy');
  assert.equal(lines.length, 4);
  assert.doesNotMatch(lines.join('\n'), /hdr-value-1|px-pa55/);
  assert.equal((JSON.parse(lines[1]!) as { subscription: { id: string } }).subscription.id, 'sub_1', 'the rest of the line stays');
});
