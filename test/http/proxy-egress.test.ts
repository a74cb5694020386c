import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Dispatcher } from 'undici';
import { sendWebhook, type WebhookResponse } from '../../src/http/send-webhook';
import { createEgressDispatcher, type ResolveHost, type WebhookDispatcherOptions } from '../../src/http/webhook-dispatcher';
import { ForwardProxy } from '../helpers/forward-proxy';
import { TestReceiver } from '../helpers/receiver';
import { CountingServer, closedPort } from './counting-server';

// WEBHOOK_PROXY_URL at the HTTP layer: real sockets, undici's ProxyAgent and a real proxy (the
// `proxy` package). The worker connects to the proxy, not the receiver, so it checks the receiver's
// host itself before sending; "the proxy saw nothing" is the proof that nothing left.

const CREDENTIALS = { user: 'relay', password: 'pr0xy-pa55word' };
const proxy = new ForwardProxy(CREDENTIALS);
const receiver = new TestReceiver();
const internal = new CountingServer('127.0.0.1');
const dispatchers: Dispatcher[] = [];

before(async () => {
  await Promise.all([proxy.start(), receiver.start(), internal.start()]);
});
after(async () => {
  await Promise.all(dispatchers.map((d) => d.close()));
  await Promise.all([proxy.stop(), receiver.stop(), internal.stop()]);
});

function egress(opts: Partial<WebhookDispatcherOptions> & { proxyUrl?: string }) {
  const dispatcher = createEgressDispatcher({ allowPrivateNetworks: false, proxyUrl: proxy.url(CREDENTIALS), ...opts });
  dispatchers.push(dispatcher);
  return dispatcher;
}

const post = (url: string, dispatcher: Dispatcher, headers: Record<string, string> = {}): Promise<WebhookResponse> =>
  sendWebhook({ url, headers, body: '{"n":1}', timeoutMs: 3000, dispatcher });

const errorOf = (res: WebhookResponse) => (res.kind === 'error' ? res.error : `answered ${res.statusCode}`);

/** A resolver that answers every name with `addresses`. */
const resolveTo = (...addresses: string[]): ResolveHost => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

test('through the proxy: the webhook arrives, the proxy opened the tunnel, and only the proxy got its credentials', async () => {
  const seen = proxy.tunnels.length;
  const res = await post(receiver.url('/through'), egress({ allowPrivateNetworks: true }), { 'x-api-key': 'k-1' });
  assert.equal(res.kind === 'response' && res.statusCode, 200);
  const port = new URL(receiver.url()).port;
  assert.deepEqual(proxy.tunnels.slice(seen), [`127.0.0.1:${port}`], 'one CONNECT to the receiver');
  assert.equal(proxy.authorizations.at(-1), `Basic ${Buffer.from('relay:pr0xy-pa55word').toString('base64')}`);
  const [got] = receiver.to('/through');
  assert.equal(got!.headers['x-api-key'], 'k-1');
  assert.equal(got!.headers['proxy-authorization'], undefined, 'the receiver never sees the proxy credentials');
  assert.equal(got!.body, '{"n":1}');
});

test('wrong proxy credentials: the attempt fails naming the proxy refusal, not a timeout', async () => {
  const res = await post(receiver.url('/bad-credentials'), egress({ allowPrivateNetworks: true, proxyUrl: proxy.url({ user: 'relay', password: 'wrong' }) }));
  assert.equal(errorOf(res), 'the egress proxy refused the connection (407)');
  assert.equal(receiver.to('/bad-credentials').length, 0);
});

test('a name that resolves to a private address is refused before anything reaches the proxy', async () => {
  const seen = { tunnels: proxy.tunnels.length, forwarded: proxy.forwarded.length, auth: proxy.authorizations.length };
  const cases: [string, ResolveHost][] = [
    ['loopback', resolveTo('127.0.0.1')],
    ['one public, one private', resolveTo('93.184.216.34', '10.0.0.7')],
    ['IPv4-mapped loopback', resolveTo('::ffff:127.0.0.1')],
    ['metadata', resolveTo('169.254.169.254')],
  ];
  for (const [what, resolve] of cases) {
    for (const scheme of ['http', 'https']) {
      const res = await post(`${scheme}://evil.example:${internal.port}/hook`, egress({ resolve }));
      assert.equal(errorOf(res), 'refused: non-public address', `${what} over ${scheme}`);
    }
  }
  assert.deepEqual(
    { tunnels: proxy.tunnels.length, forwarded: proxy.forwarded.length, auth: proxy.authorizations.length },
    seen,
    'the proxy saw no request at all',
  );
  assert.equal(internal.connections, 0);
});

test('a literal private address is refused before the proxy, in every spelling; an allowed one goes through', async () => {
  const seen = proxy.authorizations.length;
  // 127.0.0.2 plays the public host: the only address this dispatcher allows (the tests' hook).
  const dispatcher = egress({ isAllowedAddress: (address) => address === '127.0.0.2' });
  for (const host of ['127.0.0.1', '2130706433', '0x7f.1', '[::1]', '[::ffff:127.0.0.1]', '0.0.0.0']) {
    assert.equal(errorOf(await post(`http://${host}:${internal.port}/hook`, dispatcher)), 'refused: non-public address', host);
  }
  assert.equal(proxy.authorizations.length, seen, 'the proxy saw nothing');
  assert.equal(internal.connections, 0);

  const publicHost = new CountingServer('127.0.0.2');
  const port = await publicHost.start();
  try {
    const res = await post(`http://127.0.0.2:${port}/allowed`, dispatcher);
    assert.equal(res.kind === 'response' && res.statusCode, 200);
    assert.deepEqual(publicHost.paths, ['/allowed']);
    assert.equal(proxy.tunnels.at(-1), `127.0.0.2:${port}`);
  } finally {
    await publicHost.stop();
  }
});

test('a resolver that never answers: the attempt times out within its own limit, and nothing reaches the proxy', async () => {
  const seen = proxy.authorizations.length;
  const hanging: ResolveHost = () => new Promise(() => {});
  const started = Date.now();
  const res = await sendWebhook({ url: `http://slow-dns.example:${internal.port}/hook`, headers: {}, body: '{}', timeoutMs: 300, dispatcher: egress({ resolve: hanging }) });
  assert.equal(errorOf(res), 'timed out after 300 ms');
  assert.ok(Date.now() - started < 2000);
  assert.equal(proxy.authorizations.length, seen);
});

test('a name with no address fails as a DNS error, before the proxy', async () => {
  const seen = proxy.authorizations.length;
  const res = await post(`http://nowhere.example:${internal.port}/hook`, egress({ resolve: async () => [] }));
  assert.equal(errorOf(res), 'DNS lookup failed');
  assert.equal(proxy.authorizations.length, seen);
});

test('the proxy down: a network error, naming neither the proxy address nor its credentials', async () => {
  const port = await closedPort();
  const res = await post(receiver.url('/down'), egress({ allowPrivateNetworks: true, proxyUrl: `http://relay:pr0xy-pa55word@127.0.0.1:${port}` }));
  assert.equal(errorOf(res), 'connection refused');
  assert.doesNotMatch(errorOf(res), /pa55word|127\.0\.0\.1|:\d{2,5}\b/);
});
