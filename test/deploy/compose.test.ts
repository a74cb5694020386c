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
import { configSchema, parseConfig } from '../../src/config';
import { SEARCH_ATTRIBUTES } from '../../workflows/shared';

const ROOT = path.resolve(__dirname, '..', '..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
const DOCKERFILE = path.join(ROOT, 'Dockerfile');
const DOCKERIGNORE = path.join(ROOT, '.dockerignore');

const GATEWAY_COMMAND = ['node', '--import', 'tsx', 'src/gateway/main.ts'];
const WORKER_COMMAND = ['node', '--import', 'tsx', 'src/worker.ts'];
const APP_SERVICES = ['worker', 'gateway'] as const;
/** How `temporal server start-dev --search-attribute KEY=TYPE` names each SDK type. */
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

test('compose: the temporal, worker and gateway services exist; no obsolete version key', () => {
  for (const name of ['temporal', 'worker', 'gateway']) service(name);
  assert.equal(compose.version, undefined, 'the Compose spec has no top-level `version:`');
});

test('compose: temporal runs a pinned Temporal CLI image as a reachable dev server with the UI', () => {
  const temporal = service('temporal');
  const image = str(temporal.image, 'services.temporal.image');
  const match = /^(?:docker\.io\/)?temporalio\/temporal:([^@\s]+)(@sha256:[0-9a-f]{64})?$/.exec(image);
  assert.ok(match, `temporal should use the official CLI image temporalio/temporal:<tag>, got ${image}`);
  const tag = match[1] ?? '';
  assert.notEqual(tag, 'latest', 'the temporal image must be pinned, not :latest');
  assert.match(tag, /^\d+\.\d+\.\d+/, `the temporal image tag should be a version, got ${tag}`);

  const command = commandWords(temporal.command, 'services.temporal.command');
  assert.deepEqual(command.slice(0, 2), ['server', 'start-dev'], 'the image entrypoint is `temporal`');
  const option = (flag: string) => {
    const i = command.indexOf(flag);
    return i === -1 ? undefined : command[i + 1];
  };
  assert.equal(option('--ip'), '0.0.0.0', 'the frontend must listen beyond localhost for the other containers');
  assert.equal(option('--ui-ip'), '0.0.0.0', 'the Web UI must listen beyond localhost to be published');
  assert.ok(!command.includes('--headless'), 'the embedded Web UI stays on');

  const ports = containerPorts(temporal.ports, 'services.temporal.ports');
  assert.ok(ports.includes(7233), 'temporal publishes the gRPC frontend, 7233');
  assert.ok(ports.includes(8233), 'temporal publishes the Web UI, 8233');

  const dbFile = option('--db-filename') ?? option('-f');
  assert.ok(dbFile, 'temporal persists to a SQLite file (--db-filename)');
  const dbMount = mounts('temporal').find((m) => m.target === path.posix.dirname(dbFile));
  assert.ok(dbMount, `the directory of ${dbFile} should be a volume mount`);
  assert.ok(mapping(compose.volumes, 'volumes')[dbMount.source] !== undefined, `${dbMount.source} should be a named volume`);

  const healthcheck = mapping(temporal.healthcheck, 'services.temporal.healthcheck');
  const probe = commandWords(healthcheck.test, 'services.temporal.healthcheck.test');
  assert.ok(probe.join(' ').includes('operator cluster health'), `temporal healthcheck should ask the server: ${probe.join(' ')}`);
});

test('compose: temporal registers every search attribute the workflows use, with its type', () => {
  const command = commandWords(service('temporal').command, 'services.temporal.command');
  const registered = new Set<string>();
  command.forEach((word, i) => {
    if (word === '--search-attribute') registered.add(command[i + 1] ?? '');
    else if (word.startsWith('--search-attribute=')) registered.add(word.slice('--search-attribute='.length));
  });
  assert.equal(SEARCH_ATTRIBUTES.length, 3);
  for (const key of SEARCH_ATTRIBUTES) {
    const wanted = `${key.name}=${CLI_SEARCH_ATTRIBUTE_TYPE[key.type]}`;
    assert.ok(registered.has(wanted), `--search-attribute ${wanted} is missing`);
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

test('compose: no service image is Alpine', () => {
  for (const [name, value] of Object.entries(services)) {
    const image = mapping(value, `services.${name}`).image;
    if (image !== undefined) assert.ok(!isAlpine(str(image, `services.${name}.image`)), `${name}: ${String(image)}`);
  }
});

test('compose: the gateway publishes 3000 and is health-checked on GET /healthz without curl', () => {
  const gateway = service('gateway');
  assert.ok(containerPorts(gateway.ports, 'services.gateway.ports').includes(3000), 'gateway publishes 3000');
  const env = environment('gateway');
  const port = env.get('PORT');
  assert.ok(port === undefined || interpolate(port ?? '', {}) === '3000', 'the gateway listens on 3000 in the container');

  const healthcheck = mapping(gateway.healthcheck, 'services.gateway.healthcheck');
  const probe = commandWords(healthcheck.test, 'services.gateway.healthcheck.test');
  assert.equal(probe[0], 'CMD', 'exec form: no shell needed');
  assert.equal(probe[1], 'node', 'the slim image has no curl or wget; node does the request');
  const script = probe.slice(2).join(' ');
  assert.match(script, /http:\/\/(127\.0\.0\.1|localhost):3000\/healthz/, 'the probe requests /healthz');
  assert.match(script, /process\.exit/, 'the probe turns the answer into an exit code');
});

test('compose: worker and gateway wait for a healthy temporal and restart unless stopped', () => {
  for (const name of APP_SERVICES) {
    const svc = service(name);
    const dependsOn = mapping(svc.depends_on, `services.${name}.depends_on (long form, with a condition)`);
    const temporal = mapping(dependsOn.temporal, `services.${name}.depends_on.temporal`);
    assert.equal(temporal.condition, 'service_healthy', `${name} waits for temporal to be healthy`);
    assert.equal(svc.restart, 'unless-stopped', `${name} restart policy`);
  }
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

test('compose: the environment is valid config, and worker and gateway agree on what they share', () => {
  const parsed = APP_SERVICES.map((name) => {
    const env: Record<string, string | undefined> = {};
    for (const [key, value] of environment(name)) {
      if (value !== null) env[key] = interpolate(value, { API_TOKEN: TEST_TOKEN });
    }
    return { name, config: parseConfig(env) };
  });
  const [worker, gateway] = parsed;
  assert.ok(worker && gateway);
  for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TASK_QUEUE', 'API_TOKEN'] as const) {
    assert.equal(worker.config[key], gateway.config[key], `worker and gateway must agree on ${key}`);
  }
  assert.equal(worker.config.TEMPORAL_ADDRESS, 'temporal:7233', 'the services reach Temporal by its service name');
  assert.equal(gateway.config.PORT, 3000);

  // Both open the same SQLite ledger: its directory is the same named volume in both containers.
  const url = worker.config.DATABASE_URL;
  assert.ok(url.startsWith('sqlite:'), `expected the SQLite ledger, got ${url}`);
  const dir = path.posix.dirname(url.slice('sqlite:'.length));
  const volumes = mapping(compose.volumes, 'volumes');
  const sources = APP_SERVICES.map((name) => {
    const mount = mounts(name).find((m) => m.target === dir);
    assert.ok(mount, `${name} mounts a volume at ${dir}`);
    assert.ok(mount.source in volumes, `${mount.source} should be a named volume, not a host path`);
    return mount.source;
  });
  assert.equal(new Set(sources).size, 1, `worker and gateway share one ledger volume, got ${sources.join(', ')}`);
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
  for (const key of Object.keys(configSchema.shape)) delete env[key];
  return { ...env, ...extra };
}

function runCompose(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync('docker', ['compose', '-f', COMPOSE_FILE, '--project-directory', ROOT, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env,
  });
}

test('docker compose config accepts the file, and refuses it without API_TOKEN', { skip: cli.ok ? false : cli.reason }, (t) => {
  if (cli.ok) t.diagnostic(cli.version);
  const ok = runCompose(['config', '--format', 'json'], composeEnv({ API_TOKEN: TEST_TOKEN }));
  assert.equal(ok.status, 0, `docker compose config failed:\n${ok.stderr}`);
  const rendered = mapping(JSON.parse(ok.stdout), 'docker compose config output');
  const renderedServices = mapping(rendered.services, 'rendered services');
  assert.deepEqual(Object.keys(renderedServices).sort(), ['gateway', 'temporal', 'worker']);
  for (const name of APP_SERVICES) {
    const env = mapping(mapping(renderedServices[name], name).environment, `${name}.environment`);
    assert.equal(env.API_TOKEN, TEST_TOKEN, `${name} gets API_TOKEN from the environment`);
  }

  const missing = runCompose(['config', '-q'], composeEnv({}));
  assert.notEqual(missing.status, 0, 'compose must refuse to run without API_TOKEN');
  assert.match(missing.stderr, /API_TOKEN/);
});
