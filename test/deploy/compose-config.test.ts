// Static checks of the settings docker-compose.yml gives worker and gateway: API_TOKEN required
// from the environment, every variable a setting of src/core/config.ts, and a valid config that shares
// one ledger and one Temporal. `docker compose config` runs too when a Compose CLI is installed (it
// only parses, no engine involved), and is skipped otherwise.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { configSchema, parseConfig } from '../../src/core/config';
import {
  ALL_SERVICES,
  APP_SERVICES,
  COMPOSE_FILE,
  composeText,
  environment,
  resolvedEnvironment,
  ROOT,
  TEST_TOKEN,
  VARIABLE_SETS,
} from './compose-file';
import { interpolate, type Mapping, mapping } from './yaml';

test('compose: API_TOKEN is required from the environment, never hard-coded', () => {
  for (const name of APP_SERVICES) {
    const token = environment(name).get('API_TOKEN');
    assert.ok(token, `${name} sets API_TOKEN`);
    assert.match(token, /^\$\{API_TOKEN:\?[^}]*\}$/, `${name}: API_TOKEN should be \${API_TOKEN:?message}, got ${token}`);
    assert.throws(() => interpolate(token, {}), /API_TOKEN/, 'an unset API_TOKEN stops compose');
    assert.throws(() => interpolate(token, { API_TOKEN: '' }), /API_TOKEN/, 'an empty API_TOKEN stops compose');
  }
  assert.ok(!/API_TOKEN\s*[:=]\s*['"]?[A-Za-z0-9_-]{16,}/.test(composeText), 'no literal token in docker-compose.yml');
});

test('compose: every variable set on worker and gateway is a setting of src/core/config.ts', () => {
  const known = new Set(Object.keys(configSchema.shape));
  for (const name of APP_SERVICES) {
    const keys = [...environment(name).keys()];
    assert.ok(keys.length > 0, `${name} sets its environment`);
    const unknown = keys.filter((key) => !known.has(key));
    assert.deepEqual(unknown, [], `${name} sets variables configSchema doesn't know: ${unknown.join(', ')}`);
  }
});

test('compose: the environment is valid config; worker and gateway share the postgres ledger and Temporal', () => {
  for (const vars of VARIABLE_SETS) {
    const parsed = APP_SERVICES.map((name) => ({ name, config: parseConfig(resolvedEnvironment(name, vars)) }));
    const [worker, gateway] = parsed;
    assert.ok(worker && gateway);
    for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TASK_QUEUE', 'API_TOKEN', 'PUBLIC_URL'] as const) {
      assert.equal(worker.config[key], gateway.config[key], `worker and gateway must agree on ${key}`);
    }
    assert.ok(worker.config.PUBLIC_URL, 'PUBLIC_URL is set: the worker writes the confirmation URLs with it');
    assert.equal(worker.config.TEMPORAL_ADDRESS, 'temporal:7233', 'the services reach Temporal by its service name');
    assert.equal(gateway.config.PORT, 3000);

    // The ledger is the database the postgres service creates, with its user and password.
    const pg = resolvedEnvironment('postgres', vars);
    const url = new URL(worker.config.DATABASE_URL);
    assert.match(url.protocol, /^postgres(ql)?:$/, `expected a postgres:// ledger, got ${url.protocol}`);
    assert.equal(url.hostname, 'postgres', 'the ledger is on the postgres service');
    assert.equal(url.port || '5432', '5432');
    assert.equal(url.pathname, `/${pg.POSTGRES_DB}`, 'the database POSTGRES_DB creates');
    assert.equal(decodeURIComponent(url.username), pg.POSTGRES_USER);
    assert.equal(decodeURIComponent(url.password), pg.POSTGRES_PASSWORD);
  }
});

// ---- docker compose config, when a Compose CLI is installed ------------------------------------

function composeCli(): { ok: true; version: string } | { ok: false; reason: string } {
  const result = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', timeout: 20_000 });
  if (result.error) return { ok: false, reason: `docker not runnable: ${result.error.message}` };
  if (result.status !== 0) {
    const why = `${result.stderr}${result.stdout}`.trim().split('\n')[0] ?? '';
    return { ok: false, reason: `no Compose CLI (\`docker compose version\` exited ${result.status}: ${why})` };
  }
  return { ok: true, version: result.stdout.trim() };
}

const cli = composeCli();

/** The environment for `docker compose`, without any settings of this project from the caller. */
function composeEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of [...Object.keys(configSchema.shape), 'POSTGRES_PASSWORD']) delete env[key];
  return { ...env, ...extra };
}

function runCompose(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync('docker', ['compose', '-f', COMPOSE_FILE, '--project-directory', ROOT, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env,
  });
}

function renderedEnvironment(rendered: Mapping, name: string): Mapping {
  return mapping(mapping(mapping(rendered.services, 'rendered services')[name], name).environment, `${name}.environment`);
}

test('docker compose config accepts the file, and refuses it without API_TOKEN', { skip: cli.ok ? false : cli.reason }, (t) => {
  if (cli.ok) t.diagnostic(cli.version);
  const ok = runCompose(['config', '--format', 'json'], composeEnv({ API_TOKEN: TEST_TOKEN, POSTGRES_PASSWORD: 'pw-from-env' }));
  assert.equal(ok.status, 0, `docker compose config failed:\n${ok.stderr}`);
  const rendered = mapping(JSON.parse(ok.stdout), 'docker compose config output');
  const renderedServices = mapping(rendered.services, 'rendered services');
  assert.deepEqual(Object.keys(renderedServices).sort(), ALL_SERVICES);
  for (const name of APP_SERVICES) {
    const env = renderedEnvironment(rendered, name);
    assert.equal(env.API_TOKEN, TEST_TOKEN, `${name} gets API_TOKEN from the environment`);
    assert.equal(env.DATABASE_URL, 'postgres://webhooks:pw-from-env@postgres:5432/webhooks', `${name} gets POSTGRES_PASSWORD`);
  }
  assert.equal(renderedEnvironment(rendered, 'postgres').POSTGRES_PASSWORD, 'pw-from-env');
  assert.equal(renderedEnvironment(rendered, 'temporal').POSTGRES_PWD, 'pw-from-env');
  assert.equal(mapping(mapping(renderedServices.worker, 'worker').deploy, 'worker.deploy').replicas, 2);

  const missing = runCompose(['config', '-q'], composeEnv({}));
  assert.notEqual(missing.status, 0, 'compose must refuse to run without API_TOKEN');
  assert.match(missing.stderr, /API_TOKEN/);
});
