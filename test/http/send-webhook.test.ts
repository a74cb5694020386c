import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isPublicAddress } from '../../src/http/private-address';
import { MAX_RESPONSE_BYTES, sendWebhook } from '../../src/http/send-webhook';
import { createWebhookDispatcher } from '../../src/http/webhook-dispatcher';
import { TestReceiver } from '../helpers/receiver';

const receiver = new TestReceiver((req) => {
  if (req.path === '/redirect') return { status: 302, headers: { location: '/ok' } };
  if (req.path === '/big') return { status: 200, body: 'x'.repeat(100_000) };
  if (req.path === '/slow') return 'hang';
  return { status: 200, body: 'ok' };
});
const open = createWebhookDispatcher({ allowPrivateNetworks: true });
const guarded = createWebhookDispatcher({ allowPrivateNetworks: false });
const send = (path: string, dispatcher = open, timeoutMs = 5000) =>
  sendWebhook({ url: receiver.url(path), headers: { 'webhook-id': 'evt_x' }, body: '{}', timeoutMs, dispatcher });

before(() => receiver.start());
after(async () => {
  await receiver.stop();
  await open.close();
  await guarded.close();
});

test('posts JSON with our user agent and the given headers', async () => {
  const res = await send('/ok');
  assert.equal(res.kind, 'response');
  const got = receiver.to('/ok')[0]!;
  assert.equal(got.method, 'POST');
  assert.equal(got.headers['content-type'], 'application/json');
  assert.match(got.headers['user-agent'] ?? '', /^webhook-relay\//);
  assert.equal(got.headers['webhook-id'], 'evt_x');
});

test('does not follow redirects: the 3xx is the answer', async () => {
  const res = await send('/redirect');
  assert.equal(res.kind === 'response' && res.statusCode, 302);
  assert.equal(receiver.to('/ok').length, 1, 'the redirect target was not requested');
});

test('reads at most 4 KiB of the response', async () => {
  const res = await send('/big');
  assert.equal(res.kind === 'response' && res.body.length, MAX_RESPONSE_BYTES);
});

test('a receiver slower than the timeout is a timed-out attempt', async () => {
  const res = await send('/slow', open, 300);
  assert.deepEqual(res.kind === 'error' && res.error, 'timed out after 300 ms');
});

test('refuses loopback unless private networks are allowed, and says no more than that', async () => {
  const before = receiver.to('/guarded').length;
  const res = await send('/guarded', guarded);
  assert.deepEqual(res.kind === 'error' && res.error, 'refused: non-public address');
  assert.equal(receiver.to('/guarded').length, before, 'nothing reached the receiver');
  // A hostname is judged by what it resolves to, not by its name.
  const byName = await sendWebhook({
    url: receiver.url('/guarded').replace('127.0.0.1', 'localhost'),
    headers: {},
    body: '{}',
    timeoutMs: 5000,
    dispatcher: guarded,
  });
  assert.deepEqual(byName.kind === 'error' && byName.error, 'refused: non-public address');
});

test('private, loopback, link-local, metadata and special-purpose addresses are not public', () => {
  for (const a of [
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '255.255.255.255',
    '192.0.2.1', '224.0.0.1', '::', '::1', 'fd00:ec2::254', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:7f00:1',
    '::ffff:169.254.169.254', '::127.0.0.1', '64:ff9b::a00:1', '2002:7f00:1::', 'ff02::1', '2001:db8::1',
    // Not canonical address text: never what DNS answers, so never trusted.
    '127.1', '0x7f.0.0.1', '2130706433', 'localhost', '',
  ]) {
    assert.equal(isPublicAddress(a), false, a);
  }
  for (const a of ['93.184.216.34', '1.1.1.1', '8.8.8.8', '::ffff:93.184.216.34', '2606:4700:4700::1111', '2a00:1450:4001:81c::200e']) {
    assert.equal(isPublicAddress(a), true, a);
  }
});
