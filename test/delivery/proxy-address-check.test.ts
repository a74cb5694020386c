import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createSubscription, waitForEventDone } from '../helpers/api';
import { ForwardProxy } from '../helpers/forward-proxy';
import { useStack } from '../helpers/stack';
import { CountingServer } from '../http/counting-server';

// SSRF rules with WEBHOOK_PROXY_URL set and ALLOW_PRIVATE_NETWORKS=false, through the whole stack:
// the worker connects to the proxy, so it resolves the receiver's name itself and refuses it before
// anything reaches the proxy. `hooks.example` resolves to loopback through the worker's test resolver.

const proxy = new ForwardProxy();
const internal = new CountingServer('127.0.0.1');
before(async () => {
  await proxy.start();
  await internal.start();
});
const stack = useStack({
  proxyUrl: () => proxy.url(),
  allowPrivateNetworks: false,
  addressCheck: { resolve: async (hostname) => (hostname === 'hooks.example' ? [{ address: '127.0.0.1', family: 4 }] : []) },
});
after(async () => {
  await internal.stop();
  await proxy.stop();
});

test('a receiver whose name resolves to a private address is refused by the worker; the proxy sees nothing', async () => {
  const url = `http://hooks.example:${internal.port}/hook`;
  const sub = await createSubscription(stack, { url, eventTypes: ['ssrf.*'], retrySchedule: ['0', '10ms'], headers: { 'X-Api-Key': 'never-sent' } });
  assert.equal(sub.url, url, 'the gateway judges the URL alone: a public-looking name passes');
  const posted = await stack.api('POST', '/v1/events', { tenantId: 'default', type: 'ssrf.probe', data: {} });
  const [delivery] = await waitForEventDone(stack, posted.body.id as string, 1);

  assert.equal(delivery!.status, 'failed');
  assert.deepEqual(
    delivery!.attempts.map((a) => [a.outcome, a.statusCode, a.error]),
    [
      ['failed', null, 'refused: non-public address'],
      ['failed', null, 'refused: non-public address'],
    ],
  );
  assert.deepEqual([proxy.tunnels, proxy.forwarded, proxy.authorizations], [[], [], []], 'the proxy saw no request');
  assert.equal(internal.connections, 0);
});
