import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Agent } from 'undici';
import { sendWebhook, type WebhookResponse } from '../../src/http/send-webhook';
import { createWebhookDispatcher, type ResolveHost } from '../../src/http/webhook-dispatcher';
import { CountingServer, closedPort } from './counting-server';

// Send-time guard: every test below uses real sockets and undici, and counts TCP connections on the
// address that must not be reached. `evil.example` resolves through a test resolver.

const internal = new CountingServer('127.0.0.1');
const dispatchers: Agent[] = [];
let port = 0;

before(async () => {
  port = await internal.start();
});
after(async () => {
  await Promise.all(dispatchers.map((d) => d.close()));
  await internal.stop();
});

function guarded(opts: { resolve?: ResolveHost; isAllowedAddress?: (address: string) => boolean } = {}): Agent {
  const dispatcher = createWebhookDispatcher({ allowPrivateNetworks: false, ...opts });
  dispatchers.push(dispatcher);
  return dispatcher;
}

const post = (url: string, dispatcher: Agent, timeoutMs = 3000): Promise<WebhookResponse> =>
  sendWebhook({ url, headers: {}, body: '{}', timeoutMs, dispatcher });

const errorOf = (res: WebhookResponse) => (res.kind === 'error' ? res.error : `answered ${res.statusCode}`);

/** A resolver that gives `answers` in turn (the last one from then on) and counts its calls. */
function changingResolver(...answers: string[][]): ResolveHost & { calls: number } {
  const resolve = async (hostname: string) => {
    assert.equal(hostname, 'evil.example');
    const answer = answers[Math.min(resolve.calls++, answers.length - 1)]!;
    return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  resolve.calls = 0;
  return resolve;
}

test('a name that resolves to loopback is refused before any connection, over http and https', async () => {
  const dispatcher = guarded({ resolve: changingResolver(['127.0.0.1']) });
  for (const scheme of ['http', 'https']) {
    const res = await post(`${scheme}://evil.example:${port}/hook`, dispatcher);
    assert.equal(errorOf(res), 'refused: non-public address', scheme);
  }
  assert.equal(internal.connections, 0, 'no TCP connection reached 127.0.0.1');
});

test('a name with one public and one private address is refused whole, before connecting to either', async () => {
  for (const answer of [['93.184.216.34', '127.0.0.1'], ['2606:4700:4700::1111', '::1'], ['::ffff:127.0.0.1']]) {
    const res = await post(`http://evil.example:${port}/hook`, guarded({ resolve: changingResolver(answer) }));
    assert.equal(errorOf(res), 'refused: non-public address', answer.join(' '));
  }
  assert.equal(internal.connections, 0);
});

test('a literal private address is refused before connecting, in every spelling', async () => {
  const dispatcher = guarded();
  for (const host of ['127.0.0.1', '2130706433', '0177.0.0.1', '0x7f.1', '127.1', '[::ffff:127.0.0.1]', '[::1]', '0.0.0.0', '[::]']) {
    const res = await post(`http://${host}:${port}/hook`, dispatcher);
    assert.equal(errorOf(res), 'refused: non-public address', host);
  }
  assert.equal(internal.connections, 0);
});

test('a DNS answer that changes after the check cannot redirect the connection: the checked address is the one connected to', async () => {
  // 127.0.0.2 plays the public host (the only address this dispatcher allows); 127.0.0.1 the internal one.
  const publicHost = new CountingServer('127.0.0.2', (_req, res) => res.writeHead(200, { connection: 'close' }).end('public'));
  await publicHost.start(port);
  try {
    const resolve = changingResolver(['127.0.0.2'], ['127.0.0.1']);
    const dispatcher = guarded({ resolve, isAllowedAddress: (address) => address === '127.0.0.2' });

    const first = await post(`http://evil.example:${port}/first`, dispatcher);
    assert.equal(first.kind === 'response' && first.body, 'public');
    assert.equal(resolve.calls, 1, 'resolved once: the socket did no lookup of its own');
    assert.deepEqual(publicHost.paths, ['/first']);

    // The connection was closed, so the next request resolves again, now to the internal address.
    const second = await post(`http://evil.example:${port}/second`, dispatcher);
    assert.equal(errorOf(second), 'refused: non-public address');
    assert.equal(resolve.calls, 2);
    assert.deepEqual(publicHost.paths, ['/first']);
    assert.equal(internal.connections, 0, 'the internal address never got a connection');
  } finally {
    await publicHost.stop();
  }
});

test('a redirect to a private address is not followed: the 3xx is the answer and its target gets no connection', async () => {
  const publicHost = new CountingServer('127.0.0.2', (_req, res) =>
    res.writeHead(307, { location: `http://127.0.0.1:${port}/latest/meta-data/` }).end(),
  );
  const publicPort = await publicHost.start();
  try {
    const dispatcher = guarded({ isAllowedAddress: (address) => address === '127.0.0.2' });
    const res = await post(`http://127.0.0.2:${publicPort}/hook`, dispatcher);
    assert.equal(res.kind === 'response' && res.statusCode, 307);
    assert.equal(internal.connections, 0);
    assert.deepEqual(internal.paths, []);
  } finally {
    await publicHost.stop();
  }
});

test('network errors name the failure, never the resolved address or port', async () => {
  const open = createWebhookDispatcher({ allowPrivateNetworks: true, resolve: changingResolver(['127.0.0.1']) });
  dispatchers.push(open);
  const closed = await closedPort();
  const refused = await post(`http://evil.example:${closed}/hook`, open);
  assert.equal(errorOf(refused), 'connection refused');

  // TLS to a plain-HTTP port fails in the handshake; the library's text would name the address.
  const tls = await post(`https://evil.example:${port}/hook`, open);
  assert.equal(errorOf(tls), 'TLS handshake failed');

  const unknown = createWebhookDispatcher({ allowPrivateNetworks: true, resolve: async () => [] });
  dispatchers.push(unknown);
  assert.equal(errorOf(await post(`http://evil.example:${port}/hook`, unknown)), 'DNS lookup failed');
  for (const res of [refused, tls]) {
    assert.doesNotMatch(errorOf(res), /127\.0\.0\.1|::1|:\d{2,5}\b/);
  }
});
