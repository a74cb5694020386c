import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../../src/core/config';

test('defaults fill every optional setting', () => {
  const config = parseConfig({ API_TOKEN: 'a-long-enough-token' });
  assert.equal(config.PORT, 3000);
  assert.equal(config.TEMPORAL_ADDRESS, '127.0.0.1:7233');
  assert.equal(config.TEMPORAL_NAMESPACE, 'default');
  assert.equal(config.TASK_QUEUE, 'webhooks');
  assert.equal(config.ALLOW_PRIVATE_NETWORKS, false);
  assert.match(config.DATABASE_URL, /^sqlite:.*ledger\.sqlite$/);
  assert.equal(config.WORKER_MAX_CACHED_WORKFLOWS, 1000);
});

test("the worker's workflow cache cannot be set below the workflow tasks it runs at once", () => {
  assert.throws(() => parseConfig({ API_TOKEN: 'a-long-enough-token', WORKER_MAX_CACHED_WORKFLOWS: '10' }), /WORKER_MAX_CACHED_WORKFLOWS/);
  assert.equal(parseConfig({ API_TOKEN: 'a-long-enough-token', WORKER_MAX_CACHED_WORKFLOWS: '5000' }).WORKER_MAX_CACHED_WORKFLOWS, 5000);
});

test('a bad value stops start-up with a message naming every bad variable', () => {
  assert.throws(
    () => parseConfig({ API_TOKEN: 'short', PORT: 'eighty', ALLOW_PRIVATE_NETWORKS: 'maybe', DATABASE_URL: 'mysql://x' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      for (const name of ['API_TOKEN', 'PORT', 'ALLOW_PRIVATE_NETWORKS', 'DATABASE_URL']) assert.match(err.message, new RegExp(name));
      return true;
    },
  );
  assert.throws(() => parseConfig({}), /API_TOKEN/);
});

test('booleans accept true/false/1/0 and empty strings mean unset', () => {
  assert.equal(parseConfig({ API_TOKEN: 'a-long-enough-token', ALLOW_PRIVATE_NETWORKS: '1' }).ALLOW_PRIVATE_NETWORKS, true);
  assert.equal(parseConfig({ API_TOKEN: 'a-long-enough-token', PORT: '' }).PORT, 3000);
});

test('Temporal Cloud settings: API key or mTLS turn TLS on; a certificate needs its key', async () => {
  const { temporalConnectionOptions } = await import('../../src/temporal/client');
  const base = { API_TOKEN: 'a-long-enough-token', TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233' };
  assert.deepEqual(temporalConnectionOptions(parseConfig(base)), { address: 'ns.acct.tmprl.cloud:7233' });
  assert.deepEqual(temporalConnectionOptions(parseConfig({ ...base, TEMPORAL_API_KEY: 'key' })), {
    address: 'ns.acct.tmprl.cloud:7233',
    tls: true,
    apiKey: 'key',
  });
  assert.throws(() => parseConfig({ ...base, TEMPORAL_TLS_CERT: '/c.pem' }), /TEMPORAL_TLS_KEY/);
});

test('WEBHOOK_PROXY_URL: an http(s) proxy origin, credentials allowed; a bad one is refused without repeating it', () => {
  const base = { API_TOKEN: 'a-long-enough-token' };
  assert.equal(parseConfig(base).WEBHOOK_PROXY_URL, undefined);
  for (const url of ['http://proxy.internal:3128', 'https://user:p%40ss@egress.example.com:8443', 'http://10.0.0.5:3128/']) {
    assert.equal(parseConfig({ ...base, WEBHOOK_PROXY_URL: url }).WEBHOOK_PROXY_URL, url);
  }
  for (const url of ['socks5://u:hunter2secret@proxy:1080', 'ftp://u:hunter2secret@proxy', 'http://u:hunter2secret@proxy:3128/path', 'http://u:hunter2secret@proxy:3128/?q=1', 'not a url hunter2secret']) {
    assert.throws(
      () => parseConfig({ ...base, WEBHOOK_PROXY_URL: url }),
      (err: unknown) => err instanceof ConfigError && /WEBHOOK_PROXY_URL/.test(err.message) && !err.message.includes('hunter2secret'),
      url,
    );
  }
});
