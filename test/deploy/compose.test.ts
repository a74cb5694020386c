// Static checks of the container setup (docker-compose.yml, Dockerfile, .dockerignore). No Docker
// engine is needed: the files are parsed and checked against the code they deploy, so compose,
// the image and src/config.ts can't drift apart unnoticed. `docker compose config` runs too when
// a Compose CLI is installed (it only parses, no engine involved), and is skipped otherwise.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { SearchAttributeType } from '@temporalio/common';
import { parse } from 'yaml';
import { DEV_DYNAMIC_CONFIG } from '../../scripts/lib/dev-server';
import { configSchema, parseConfig } from '../../src/core/config';
import { SEARCH_ATTRIBUTES } from '../../src/contract';
import { parseDuration } from '../../src/delivery/retry-schedule';
import { createGatewayMetrics, createWorkerMetrics } from '../../src/metrics';

const ROOT = path.resolve(__dirname, '..', '..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const DOCKERFILE = path.join(ROOT, 'Dockerfile');
const DOCKERIGNORE = path.join(ROOT, '.dockerignore');

const GATEWAY_COMMAND = ['node', '--import', 'tsx', 'src/gateway/main.ts'];
const WORKER_COMMAND = ['node', '--import', 'tsx', 'src/worker/main.ts'];
const APP_SERVICES = ['worker', 'gateway'] as const;
/** How the `temporal` CLI (`search-attribute create --type`) names each SDK type. */
const CLI_SEARCH_ATTRIBUTE_TYPE: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};
/** A token for interpolating `${API_TOKEN:?...}`: long enough for configSchema. */
const TEST_TOKEN = 'compose-test-token-0123456789abcdef';

// ---- small typed helpers over parsed YAML ------------------------------------------------------

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mapping(value: unknown, what: string): Mapping {
  if (!isMapping(value)) assert.fail(`${what} should be a mapping, got ${JSON.stringify(value)}`);
  return value;
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') assert.fail(`${what} should be a string, got ${JSON.stringify(value)}`);
  return value;
}

function strings(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    assert.fail(`${what} should be a list of strings, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A compose `command`/`entrypoint`/healthcheck `test`: a list, or a string split on whitespace. */
function commandWords(value: unknown, what: string): string[] {
  if (typeof value === 'string') return value.trim().split(/\s+/);
  return strings(value, what);
}

const composeText = fs.readFileSync(COMPOSE_FILE, 'utf8');
// `merge: true` so the `<<: *relay-environment` merge keys resolve as Compose resolves them.
const compose = mapping(parse(composeText, { merge: true }), 'docker-compose.yml');
const services = mapping(compose.services, 'services');

function service(name: string): Mapping {
  return mapping(services[name], `services.${name}`);
}

/** A service's environment as written (before interpolation); list or mapping syntax. */
function environment(name: string): Map<string, string | null> {
  const env = service(name).environment;
  const out = new Map<string, string | null>();
  if (env === undefined) return out;
  if (Array.isArray(env)) {
    for (const entry of strings(env, `services.${name}.environment`)) {
      const eq = entry.indexOf('=');
      if (eq === -1) out.set(entry, null);
      else out.set(entry.slice(0, eq), entry.slice(eq + 1));
    }
    return out;
  }
  for (const [key, value] of Object.entries(mapping(env, `services.${name}.environment`))) {
    out.set(key, value === null ? null : String(value));
  }
  return out;
}

/**
 * Compose-style interpolation, enough for this file: ${VAR}, ${VAR:-default}, ${VAR-default},
 * ${VAR:?message}, ${VAR?message} and $$. Throws, as Compose does, when a required one is unset.
 */
function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g, (match, name?: string, colon?: string, op?: string, arg?: string) => {
    if (match === '$$') return '$';
    const key = name ?? '';
    const current = env[key];
    const missing = current === undefined || (colon === ':' && current === '');
    if (op === '-') return missing ? (arg ?? '') : (current ?? '');
    if (op === '?') {
      if (missing) throw new Error(`required variable ${key} is missing a value: ${arg ?? ''}`);
      return current ?? '';
    }
    return current ?? '';
  });
}

/** The container ports a `ports:` list publishes (short or long syntax). */
function containerPorts(value: unknown, what: string): number[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) assert.fail(`${what} should be a list`);
  return value.map((entry) => {
    if (typeof entry === 'number') return entry;
    if (typeof entry === 'string') {
      const target = entry.split('/')[0]?.split(':').pop() ?? '';
      return Number.parseInt(target, 10);
    }
    return Number(mapping(entry, what).target);
  });
}

/** A service's volume mounts as { source, target } (short or long syntax). */
function mounts(name: string): { source: string; target: string }[] {
  const value = service(name).volumes;
  if (value === undefined) return [];
  if (!Array.isArray(value)) assert.fail(`services.${name}.volumes should be a list`);
  return value.map((entry) => {
    if (typeof entry === 'string') {
      const [source = '', target = ''] = entry.split(':');
      return { source, target };
    }
    const m = mapping(entry, `services.${name}.volumes[]`);
    return { source: str(m.source, 'volume source'), target: str(m.target, 'volume target') };
  });
}

function isAlpine(image: string): boolean {
  return /alpine/i.test(image);
}

// ---- Dockerfile parsing -------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  /** The FROM image, or undefined when the stage builds on an earlier stage. */
  base: string | undefined;
  name: string | undefined;
  instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  // Comment lines (parser directives included) go first, as Docker drops them even inside a
  // continued instruction; then backslash-continued lines are joined.
  const lines = text.split(/\r?\n/).filter((line) => !/^\s*#/.test(line));
  const instructions: Instruction[] = [];
  let pending = '';
  for (const line of lines) {
    const continued = /\\\s*$/.test(line);
    pending += `${continued ? line.replace(/\\\s*$/, '') : line} `;
    if (continued) continue;
    const joined = pending.trim();
    pending = '';
    if (joined === '') continue;
    const match = /^(\S+)\s*(.*)$/.exec(joined);
    if (match) instructions.push({ keyword: (match[1] ?? '').toUpperCase(), args: (match[2] ?? '').trim() });
  }
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const image = words[0] ?? '';
      const asIndex = words.findIndex((w) => w.toUpperCase() === 'AS');
      const name = asIndex === -1 ? undefined : words[asIndex + 1];
      const fromStage = stages.some((s) => s.name !== undefined && s.name.toLowerCase() === image.toLowerCase());
      stages.push({ base: fromStage ? undefined : image, name, instructions: [] });
    } else {
      const current = stages.at(-1);
      assert.ok(current, `Dockerfile: ${instruction.keyword} before any FROM`);
      current.instructions.push(instruction);
    }
  }
  return stages;
}

/** CMD/ENTRYPOINT arguments; exec form is required so node is PID 1 and gets SIGTERM itself. */
function execForm(instruction: Instruction): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(instruction.args);
  } catch {
    assert.fail(`${instruction.keyword} should use exec form (a JSON array), not "${instruction.args}"`);
  }
  return strings(parsed, instruction.keyword);
}

const stages = parseDockerfile(fs.readFileSync(DOCKERFILE, 'utf8'));
const finalStage = stages.at(-1);

// ---- compose ------------------------------------------------------------------------------------

/** `[registry/]repository[:tag][@sha256:digest]`, split. */
function parseImage(image: string): { repository: string; tag: string | undefined; digest: string | undefined } {
  const [ref = '', digest] = image.split('@');
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1), digest };
  return { repository: ref, tag: undefined, digest };
}

/** The services' own images (everything but worker and gateway, which build ours). */
const THIRD_PARTY = ['postgres', 'temporal', 'temporal-setup', 'temporal-ui', 'jaeger', 'prometheus', 'grafana'] as const;

function image(name: string): { repository: string; tag: string; digest: string | undefined } {
  const value = str(service(name).image, `services.${name}.image`);
  const parsed = parseImage(value);
  assert.ok(parsed.tag || parsed.digest, `${name}: image ${value} has neither tag nor digest`);
  return { ...parsed, tag: parsed.tag ?? '' };
}

/** Docker Hub official images may be written with or without docker.io/ and library/. */
function hubRepository(repository: string): string {
  return repository.replace(/^docker\.io\//, '').replace(/^library\//, '');
}

/** A service's environment after Compose-style interpolation with `vars`. */
function resolvedEnvironment(name: string, vars: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of environment(name)) {
    if (value !== null) out[key] = interpolate(value, vars);
  }
  return out;
}

/** A service's `depends_on` in long form: service name → condition. */
function dependsOn(name: string): Map<string, string> {
  const value = mapping(service(name).depends_on, `services.${name}.depends_on (long form, with conditions)`);
  return new Map(
    Object.entries(value).map(([dep, spec]) => [dep, str(mapping(spec, `services.${name}.depends_on.${dep}`).condition, `${name} → ${dep} condition`)]),
  );
}

/** Published ports as { hostIp, target } (short or long syntax). */
function portBindings(name: string): { hostIp: string | undefined; target: number }[] {
  const value = service(name).ports;
  if (value === undefined) return [];
  if (!Array.isArray(value)) assert.fail(`services.${name}.ports should be a list`);
  return value.map((entry) => {
    if (typeof entry === 'number') return { hostIp: undefined, target: entry };
    if (typeof entry === 'string') {
      const parts = (entry.split('/')[0] ?? '').split(':');
      return { hostIp: parts.length === 3 ? parts[0] : undefined, target: Number.parseInt(parts.at(-1) ?? '', 10) };
    }
    const m = mapping(entry, `services.${name}.ports[]`);
    return { hostIp: m.host_ip === undefined ? undefined : str(m.host_ip, 'host_ip'), target: Number(m.target) };
  });
}

function healthcheckWords(name: string): string[] {
  const healthcheck = mapping(service(name).healthcheck, `services.${name}.healthcheck`);
  return commandWords(healthcheck.test, `services.${name}.healthcheck.test`);
}

/** Interpolation values to try: the defaults alone, and every password/namespace override set. */
const VARIABLE_SETS: Record<string, string | undefined>[] = [
  { API_TOKEN: TEST_TOKEN },
  { API_TOKEN: TEST_TOKEN, POSTGRES_PASSWORD: 'another-secret', TEMPORAL_NAMESPACE: 'relay-prod' },
];

/** Every service of the file, sorted. */
const ALL_SERVICES = ['gateway', 'grafana', 'jaeger', 'postgres', 'prometheus', 'temporal', 'temporal-setup', 'temporal-ui', 'worker'];

test('compose: postgres, temporal, temporal-setup, temporal-ui, jaeger, prometheus, grafana, worker and gateway exist; no obsolete version key', () => {
  assert.deepEqual(Object.keys(services).sort(), ALL_SERVICES);
  assert.equal(compose.version, undefined, 'the Compose spec has no top-level `version:`');
});

test('compose: every third-party image is pinned to a release, none is Alpine by tag', () => {
  for (const name of THIRD_PARTY) {
    const { repository, tag, digest } = image(name);
    assert.notEqual(tag, 'latest', `${name}: ${repository} must be pinned, not :latest`);
    if (digest === undefined) {
      assert.match(tag, /^v?\d+\.\d+/, `${name}: ${repository}:${tag} should name at least major.minor`);
    }
  }
  for (const [name, value] of Object.entries(services)) {
    const img = mapping(value, `services.${name}`).image;
    if (img !== undefined) assert.ok(!isAlpine(str(img, `services.${name}.image`)), `${name}: ${String(img)}`);
  }
});

test('compose: postgres is the official Debian image with a named volume and a pg_isready healthcheck', () => {
  const { repository, tag } = image('postgres');
  assert.equal(hubRepository(repository), 'postgres', 'the official postgres image');
  assert.match(tag, /^\d+(\.\d+)?-(bookworm|trixie)$/, `a Debian tag of postgres, got ${tag}`);

  const env = environment('postgres');
  for (const key of ['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB']) assert.ok(env.get(key), `postgres sets ${key}`);

  const data = mounts('postgres').find((m) => m.target === '/var/lib/postgresql/data');
  assert.ok(data, 'the data directory is a mount');
  assert.ok(data.source in mapping(compose.volumes, 'volumes'), `${data.source} should be a named volume`);

  const probe = healthcheckWords('postgres');
  assert.ok(probe.includes('pg_isready'), `postgres healthcheck uses pg_isready: ${probe.join(' ')}`);
  assert.deepEqual(portBindings('postgres'), [], 'PostgreSQL is not published on the host');
});

test('compose: temporal is the official auto-setup server on the postgres service, health-checked', () => {
  const { repository, tag } = image('temporal');
  assert.equal(hubRepository(repository), 'temporalio/auto-setup');
  assert.match(tag, /^1\.\d+\.\d+/, `a server release, got ${tag}`);

  for (const vars of VARIABLE_SETS) {
    const env = resolvedEnvironment('temporal', vars);
    const pg = resolvedEnvironment('postgres', vars);
    assert.equal(env.DB, 'postgres12', 'the PostgreSQL 12+ persistence plugin');
    assert.equal(env.POSTGRES_SEEDS, 'postgres', 'the postgres service is the database host');
    assert.equal(env.DB_PORT, '5432');
    assert.equal(env.POSTGRES_USER, pg.POSTGRES_USER, 'the user postgres creates');
    assert.equal(env.POSTGRES_PWD, pg.POSTGRES_PASSWORD, 'the password postgres is created with');
    // auto-setup's own databases must not be the ledger's.
    const ledgerDb = pg.POSTGRES_DB;
    assert.notEqual(env.DBNAME ?? 'temporal', ledgerDb);
    assert.notEqual(env.VISIBILITY_DBNAME ?? 'temporal_visibility', ledgerDb);
    // The namespace auto-setup creates is the one the services use.
    assert.equal(env.DEFAULT_NAMESPACE ?? 'default', resolvedEnvironment('worker', vars).TEMPORAL_NAMESPACE);
  }
  assert.equal(dependsOn('temporal').get('postgres'), 'service_healthy');
  assert.ok(healthcheckWords('temporal').join(' ').includes('operator cluster health'), 'temporal healthcheck asks the server');

  const frontend = portBindings('temporal').find((p) => p.target === 7233);
  assert.ok(frontend, 'temporal publishes the gRPC frontend, 7233');
  assert.equal(frontend.hostIp, '127.0.0.1', 'a server without authentication is published on loopback only');
});

test('compose: temporal-setup registers every search attribute the workflows use, once, then exits', () => {
  const { repository } = image('temporal-setup');
  assert.equal(hubRepository(repository), 'temporalio/admin-tools');
  assert.equal(dependsOn('temporal-setup').get('temporal'), 'service_healthy');
  const restart = service('temporal-setup').restart;
  assert.ok(restart === undefined || restart === 'no', `a one-shot must not be restarted, got ${String(restart)}`);

  for (const vars of VARIABLE_SETS) {
    const env = resolvedEnvironment('temporal-setup', vars);
    assert.equal(env.TEMPORAL_ADDRESS, 'temporal:7233');
    assert.equal(env.TEMPORAL_NAMESPACE, resolvedEnvironment('worker', vars).TEMPORAL_NAMESPACE, 'the namespace the services use');
  }

  const entrypoint = commandWords(service('temporal-setup').entrypoint, 'services.temporal-setup.entrypoint');
  assert.deepEqual(entrypoint, ['/bin/sh', '-c'], "the image's entrypoint only sleeps: run the script with sh -c");
  const command = strings(service('temporal-setup').command, 'services.temporal-setup.command');
  assert.equal(command.length, 1, 'the script is one argument to sh -c');
  const script = command[0] ?? '';
  // Compose interpolates `$` itself: every `$` meant for the shell must be written `$$`.
  assert.ok(!script.replaceAll('$$', '').includes('$'), 'unescaped $ in the temporal-setup script');

  assert.match(script, /temporal operator search-attribute create --namespace "\$\$ns" --name "\$\$1" --type "\$\$2"/);
  const registered = new Map<string, string>();
  for (const match of script.matchAll(/^\s*register (\S+) (\S+)\s*$/gm)) registered.set(match[1] ?? '', match[2] ?? '');
  const checked = /for name in ([^;\n]+);/.exec(script)?.[1]?.trim().split(/\s+/) ?? [];

  assert.equal(SEARCH_ATTRIBUTES.length, 4);
  for (const key of SEARCH_ATTRIBUTES) {
    assert.equal(registered.get(key.name), CLI_SEARCH_ATTRIBUTE_TYPE[key.type], `register ${key.name} ${CLI_SEARCH_ATTRIBUTE_TYPE[key.type]}`);
    assert.ok(checked.includes(key.name), `the final check waits for ${key.name}`);
  }
  assert.deepEqual([...registered.keys()].sort(), SEARCH_ATTRIBUTES.map((k) => k.name).sort(), 'no attribute the code does not use');
  assert.ok(
    SEARCH_ATTRIBUTES.every((k) => CLI_SEARCH_ATTRIBUTE_TYPE[k.type] === 'Keyword'),
    'the final check compares with Keyword: update it when a type changes',
  );
});

test('compose: temporal-ui is the official Web UI on the temporal service, published on loopback', () => {
  const { repository } = image('temporal-ui');
  assert.equal(hubRepository(repository), 'temporalio/ui');
  assert.equal(resolvedEnvironment('temporal-ui', {}).TEMPORAL_ADDRESS, 'temporal:7233');
  assert.ok(dependsOn('temporal-ui').has('temporal'), 'temporal-ui starts after temporal');
  const ui = portBindings('temporal-ui').find((p) => p.target === 8080);
  assert.ok(ui, 'the Web UI (8080 in the container) is published');
  assert.equal(ui.hostIp, '127.0.0.1', 'the Web UI has no login: loopback only');
});

test('compose: worker and gateway send traces to jaeger (off with an empty OTEL_EXPORTER_OTLP_ENDPOINT); its UI on loopback', () => {
  assert.equal(hubRepository(image('jaeger').repository), 'jaegertracing/all-in-one');
  for (const name of APP_SERVICES) {
    assert.equal(resolvedEnvironment(name, { API_TOKEN: TEST_TOKEN }).OTEL_EXPORTER_OTLP_ENDPOINT, 'http://jaeger:4318');
    assert.equal(resolvedEnvironment(name, { API_TOKEN: TEST_TOKEN, OTEL_EXPORTER_OTLP_ENDPOINT: '' }).OTEL_EXPORTER_OTLP_ENDPOINT, '');
  }
  for (const target of [16686, 4318]) {
    assert.equal(portBindings('jaeger').find((p) => p.target === target)?.hostIp, '127.0.0.1', `jaeger's ${target} on loopback only`);
  }
});

test('compose: worker and gateway build this Dockerfile and run the right entry points', () => {
  for (const name of APP_SERVICES) {
    const svc = service(name);
    const build = svc.build;
    let context: string;
    let dockerfile = 'Dockerfile';
    if (typeof build === 'string') {
      context = build;
    } else {
      const b = mapping(build, `services.${name}.build`);
      context = b.context === undefined ? '.' : str(b.context, 'build.context');
      if (b.dockerfile !== undefined) dockerfile = str(b.dockerfile, 'build.dockerfile');
    }
    assert.equal(path.resolve(ROOT, context, dockerfile), DOCKERFILE, `${name} should build ./Dockerfile`);
    if (svc.image !== undefined) assert.ok(!isAlpine(str(svc.image, 'image')), `${name} image must not be Alpine`);
  }
  assert.deepEqual(commandWords(service('worker').command, 'services.worker.command'), WORKER_COMMAND);
  const gatewayCommand = service('gateway').command;
  if (gatewayCommand !== undefined) {
    assert.deepEqual(commandWords(gatewayCommand, 'services.gateway.command'), GATEWAY_COMMAND);
  }
  for (const name of APP_SERVICES) {
    assert.equal(service(name).entrypoint, undefined, `${name} keeps the image's entrypoint`);
  }
  for (const file of [WORKER_COMMAND.at(-1), GATEWAY_COMMAND.at(-1)]) {
    assert.ok(file && fs.existsSync(path.join(ROOT, file)), `${file} should exist`);
  }
});

test('compose: the gateway publishes 3000 and is health-checked on GET /healthz without curl', () => {
  const gateway = service('gateway');
  assert.ok(containerPorts(gateway.ports, 'services.gateway.ports').includes(3000), 'gateway publishes 3000');
  const env = environment('gateway');
  const port = env.get('PORT');
  assert.ok(port === undefined || interpolate(port ?? '', {}) === '3000', 'the gateway listens on 3000 in the container');

  const probe = healthcheckWords('gateway');
  assert.equal(probe[0], 'CMD', 'exec form: no shell needed');
  assert.equal(probe[1], 'node', 'the slim image has no curl or wget; node does the request');
  const script = probe.slice(2).join(' ');
  assert.match(script, /http:\/\/(127\.0\.0\.1|localhost):3000\/healthz/, 'the probe requests /healthz');
  assert.match(script, /process\.exit/, 'the probe turns the answer into an exit code');
});

test('compose: worker and gateway wait for a healthy postgres and the search attributes, and restart unless stopped', () => {
  for (const name of APP_SERVICES) {
    const deps = dependsOn(name);
    assert.equal(deps.get('postgres'), 'service_healthy', `${name} waits for postgres to be healthy`);
    assert.equal(deps.get('temporal-setup'), 'service_completed_successfully', `${name} waits for the search attributes`);
    assert.equal(service(name).restart, 'unless-stopped', `${name} restart policy`);
  }
});

test('compose: the worker scales (replicas, no fixed name or host port)', () => {
  const worker = service('worker');
  const replicas = mapping(worker.deploy, 'services.worker.deploy').replicas;
  assert.equal(typeof replicas, 'number', 'services.worker.deploy.replicas is set');
  assert.ok(Number(replicas) >= 2, `more than one worker shows the scaling, got ${String(replicas)}`);
  assert.equal(worker.container_name, undefined, 'a container_name would forbid more than one worker');
  assert.deepEqual(portBindings('worker'), [], 'a published port would forbid more than one worker');
});

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

test('compose: every variable set on worker and gateway is a setting of src/config.ts', () => {
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

test("compose: Temporal keeps closed workflows no longer than the ledger keeps their rows (namespace retention ≤ RECORD_RETENTION_DAYS)", () => {
  for (const vars of VARIABLE_SETS) {
    const retention = parseDuration(resolvedEnvironment('temporal', vars).DEFAULT_NAMESPACE_RETENTION ?? '');
    assert.ok(retention !== undefined && retention > 0, 'DEFAULT_NAMESPACE_RETENTION is set, as a duration');
    const worker = parseConfig(resolvedEnvironment('worker', vars));
    assert.ok(retention <= worker.RECORD_RETENTION_DAYS, `${retention} ms > ${worker.RECORD_RETENTION_DAYS} ms`);
  }
});

test('compose: named volumes hold the state; nothing mounts a host path', () => {
  const volumes = mapping(compose.volumes, 'volumes');
  for (const name of Object.keys(services)) {
    for (const mount of mounts(name)) {
      assert.ok(mount.source in volumes, `${name}: ${mount.source} should be a named volume, not a host path`);
    }
  }
  assert.deepEqual(mounts('worker'), [], 'the worker keeps no local state');
  assert.deepEqual(mounts('gateway'), [], 'the gateway keeps no local state');
});

// ---- metrics: Prometheus and Grafana ------------------------------------------------------------

const DEPLOY = path.join(ROOT, 'deploy');

/** A top-level `configs:` entry's file, resolved against the project directory. */
function configFile(name: string): string {
  const entry = mapping(mapping(compose.configs, 'configs')[name], `configs.${name}`);
  return path.resolve(ROOT, str(entry.file, `configs.${name}.file`));
}

/** Where a service's configs land in its container: target → file in this repository. */
function serviceConfigs(name: string): Map<string, string> {
  const list = service(name).configs;
  if (!Array.isArray(list)) assert.fail(`services.${name}.configs should be a list`);
  return new Map(
    list.map((entry) => {
      const m = mapping(entry, `services.${name}.configs[]`);
      return [str(m.target, 'config target'), configFile(str(m.source, 'config source'))];
    }),
  );
}

function readYaml(file: string): Mapping {
  return mapping(parse(fs.readFileSync(file, 'utf8')), path.relative(ROOT, file));
}

test('compose: temporal runs with the dynamic config of every dev server (Task Queue Fairness, one partition, eager activities)', () => {
  const target = resolvedEnvironment('temporal', {}).DYNAMIC_CONFIG_FILE_PATH ?? assert.fail('temporal sets DYNAMIC_CONFIG_FILE_PATH');
  const file = serviceConfigs('temporal').get(target) ?? assert.fail(`temporal gets a config file at ${target}`);
  const settings = readYaml(file);
  const asDevArgs = Object.entries(settings).map(([key, values]) => {
    const [first] = values as { value: unknown }[];
    return `${key}=${String(first?.value)}`;
  });
  assert.deepEqual(asDevArgs.sort(), [...DEV_DYNAMIC_CONFIG].sort());
});

test('compose: worker and gateway serve metrics on every interface of their container, published nowhere', () => {
  for (const name of APP_SERVICES) {
    const config = parseConfig(resolvedEnvironment(name, { API_TOKEN: TEST_TOKEN }));
    assert.equal(config.METRICS_HOST, '0.0.0.0', `${name}: METRICS_HOST=0.0.0.0 so that prometheus reaches it`);
  }
  const published = portBindings('gateway').map((p) => p.target);
  assert.deepEqual(published, [3000], 'only the API port is published; the metrics ports stay on the project network');
});

test('compose: prometheus scrapes the gateway, every worker replica and their SDK exporters on the ports their config gives them', () => {
  const prometheus = readYaml(serviceConfigs('prometheus').get('/etc/prometheus/prometheus.yml') ?? assert.fail('prometheus gets deploy/prometheus/prometheus.yml'));
  const command = strings(service('prometheus').command, 'services.prometheus.command');
  assert.ok(command.includes('--config.file=/etc/prometheus/prometheus.yml'), 'prometheus reads the file compose puts there');
  const jobs = new Map(
    (prometheus.scrape_configs as unknown[]).map((job) => {
      const m = mapping(job, 'scrape_configs[]');
      return [str(m.job_name, 'job_name'), m];
    }),
  );
  const gateway = parseConfig(resolvedEnvironment('gateway', { API_TOKEN: TEST_TOKEN }));
  const worker = parseConfig(resolvedEnvironment('worker', { API_TOKEN: TEST_TOKEN }));
  const staticTargets = (job: Mapping) => (job.static_configs as unknown[]).flatMap((c) => strings(mapping(c, 'static_configs[]').targets, 'targets'));
  assert.deepEqual(staticTargets(jobs.get('gateway') ?? assert.fail('a gateway job')), [`gateway:${gateway.GATEWAY_METRICS_PORT}`]);
  // Replicas: each worker container is found by DNS (one A record each), not one name that hits any of them.
  for (const [jobName, port] of [['worker', worker.WORKER_METRICS_PORT], ['temporal-sdk', worker.WORKER_SDK_METRICS_PORT]] as const) {
    const job = jobs.get(jobName) ?? assert.fail(`a ${jobName} job`);
    const [dns] = (job.dns_sd_configs as unknown[]).map((c) => mapping(c, 'dns_sd_configs[]'));
    assert.ok(dns, `${jobName} discovers the worker replicas by DNS`);
    assert.deepEqual(strings(dns.names, 'names'), ['worker']);
    assert.equal(dns.type, 'A');
    assert.equal(dns.port, port, `${jobName} scrapes the port the worker serves it on`);
  }
  assert.ok(
    portBindings('prometheus').some((p) => p.target === 9090 && p.hostIp === '127.0.0.1'),
    'prometheus listens on 9090, published on loopback only (no login)',
  );
});

test('compose: grafana provisions the prometheus data source and the dashboard from deploy/grafana', () => {
  const configs = serviceConfigs('grafana');
  const datasources = readYaml(configs.get('/etc/grafana/provisioning/datasources/prometheus.yml') ?? assert.fail('a provisioned data source'));
  const [source] = (datasources.datasources as unknown[]).map((d) => mapping(d, 'datasources[]'));
  assert.equal(source?.type, 'prometheus');
  assert.equal(source?.url, 'http://prometheus:9090', 'the prometheus service');
  const providers = readYaml(configs.get('/etc/grafana/provisioning/dashboards/webhooks.yml') ?? assert.fail('a dashboard provider'));
  const [provider] = (providers.providers as unknown[]).map((p) => mapping(p, 'providers[]'));
  const folder = str(mapping(provider?.options, 'providers[].options').path, 'provider path');
  const dashboard = configs.get(`${folder}/webhooks.json`);
  assert.equal(dashboard, path.join(DEPLOY, 'grafana', 'dashboards', 'webhooks.json'), 'the dashboard lands in the folder the provider reads');
  for (const file of configs.values()) assert.ok(fs.existsSync(file), `${path.relative(ROOT, file)} exists`);
  assert.ok(portBindings('grafana').length > 0 && portBindings('grafana').every((p) => p.hostIp === '127.0.0.1'), 'grafana is published on loopback only');
});

/** Every sample name the code's registries can serve (histograms as their _bucket, _sum and _count). */
async function registeredNames(): Promise<Set<string>> {
  const zero = async () => ({ healthy: 0, failing: 0, disabled: 0 });
  const registries = [createGatewayMetrics().registry, createWorkerMetrics({ endpointStates: zero }).registry];
  const names = new Set<string>();
  for (const registry of registries) {
    for (const metric of await registry.getMetricsAsJSON()) {
      const suffixes = metric.type.toString() === 'histogram' ? ['_bucket', '_sum', '_count'] : [''];
      for (const suffix of suffixes) names.add(`${metric.name}${suffix}`);
    }
  }
  return names;
}

test('dashboard: parses, every panel queries the provisioned data source, and every metric it names is one the code registers', async () => {
  const dashboard = mapping(JSON.parse(fs.readFileSync(path.join(DEPLOY, 'grafana', 'dashboards', 'webhooks.json'), 'utf8')), 'webhooks.json');
  const datasource = mapping((readYaml(path.join(DEPLOY, 'grafana', 'provisioning', 'datasources', 'prometheus.yml')).datasources as unknown[])[0], 'datasource');
  const panels = (dashboard.panels as unknown[]).map((p) => mapping(p, 'panel')).filter((p) => p.type !== 'row');
  assert.ok(panels.length >= 8, 'throughput, success rate, lag, failing endpoints, SDK…');
  const registered = await registeredNames();
  const expressions: string[] = [];
  for (const panel of panels) {
    const title = str(panel.title, 'panel title');
    assert.ok(typeof panel.description === 'string' && panel.description.length > 40, `${title}: says what healthy looks like`);
    const targets = (panel.targets as unknown[]).map((t) => mapping(t, `${title} target`));
    assert.ok(targets.length > 0, `${title} has queries`);
    for (const target of [panel, ...targets]) assert.equal(mapping(target.datasource, `${title} datasource`).uid, datasource.uid, `${title} uses the provisioned data source`);
    expressions.push(...targets.map((t) => str(t.expr, `${title} expr`)));
  }
  const named = new Set(expressions.flatMap((e) => e.match(/\b(webhook|process|nodejs)_[a-z0-9_]+/g) ?? []));
  assert.deepEqual([...named].filter((n) => !registered.has(n)), [], 'metrics the dashboard queries but the code never registers');
  // The Temporal SDK's names are checked against a live exporter in test/metrics/metrics.test.ts.
  for (const wanted of ['webhook_deliveries_completed_total', 'webhook_accept_to_first_attempt_seconds_bucket', 'webhook_endpoints', 'webhook_events_accepted_total']) {
    assert.ok(named.has(wanted), `the dashboard shows ${wanted}`);
  }
  assert.ok(expressions.some((e) => /\btemporal_/.test(e)), 'a Temporal SDK panel');
  assert.ok(expressions.some((e) => /histogram_quantile\(0\.99, sum by \(le\) \(rate\(webhook_accept_to_first_attempt_seconds_bucket/.test(e)), 'lag p99');
});

// ---- Dockerfile ---------------------------------------------------------------------------------

test('Dockerfile: every base image is Debian node:20-bookworm, none Alpine', () => {
  const bases = stages.map((s) => s.base).filter((b): b is string => b !== undefined);
  assert.ok(bases.length > 0, 'Dockerfile has a FROM');
  for (const base of bases) {
    assert.ok(!isAlpine(base), `Alpine base image ${base}: Temporal's core bridge needs glibc`);
    assert.match(base, /^(docker\.io\/)?(library\/)?node:20(\.\d+)*-bookworm(-slim)?(@sha256:[0-9a-f]{64})?$/, `base image ${base}`);
  }
});

test('Dockerfile: installs with npm ci and copies the sources the services run', () => {
  const all = stages.flatMap((s) => s.instructions);
  assert.ok(
    all.some((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args)),
    'dependencies come from package-lock.json via npm ci',
  );
  const copied = (finalStage?.instructions ?? [])
    .filter((i) => i.keyword === 'COPY')
    .flatMap((i) => i.args.split(/\s+/).filter((w) => !w.startsWith('--')).slice(0, -1));
  for (const needed of ['src', 'workflows', 'activities', 'tsconfig.json', 'package.json']) {
    assert.ok(
      copied.some((c) => c.replace(/^\.\//, '').replace(/\/$/, '') === needed),
      `the final stage copies ${needed} (copied: ${copied.join(' ')})`,
    );
  }
});

test('Dockerfile: the final stage runs as a non-root user and starts the gateway', () => {
  assert.ok(finalStage, 'Dockerfile has a final stage');
  const users = finalStage.instructions.filter((i) => i.keyword === 'USER');
  const user = users.at(-1)?.args.split(':')[0];
  assert.ok(user, 'the final stage sets USER');
  assert.ok(user !== 'root' && user !== '0', `the final stage runs as ${user}`);
  assert.equal(user, 'node', 'runs as the node image`s unprivileged user');

  const entrypoints = finalStage.instructions.filter((i) => i.keyword === 'ENTRYPOINT');
  assert.equal(entrypoints.length, 0, "keep the node image's entrypoint so compose's `command` replaces CMD");
  const cmd = finalStage.instructions.filter((i) => i.keyword === 'CMD').at(-1);
  assert.ok(cmd, 'the final stage has a CMD');
  assert.deepEqual(execForm(cmd), GATEWAY_COMMAND);
});

test('.dockerignore keeps local state and host node_modules out of the build context', () => {
  const entries = new Set(
    fs
      .readFileSync(DOCKERIGNORE, 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#')),
  );
  for (const entry of ['node_modules', 'data', '.git', 'test-output']) {
    assert.ok(entries.has(entry), `.dockerignore lists ${entry}`);
  }
  for (const needed of ['src', 'workflows', 'activities', 'package.json', 'package-lock.json', 'tsconfig.json']) {
    assert.ok(!entries.has(needed), `.dockerignore must not exclude ${needed}`);
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
