// docker-compose.yml, parsed once for the deploy tests (test/deploy/compose-*.test.ts), with
// accessors for what they check of a service: its image, environment (as written and
// interpolated), dependencies, published ports, mounts, healthcheck and config files.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { commandWords, interpolate, type Mapping, mapping, str, strings } from './yaml';

export const ROOT = path.resolve(__dirname, '..', '..');
export const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');
export const DOCKERFILE = path.join(ROOT, 'Dockerfile');
export const DOCKERIGNORE = path.join(ROOT, '.dockerignore');

export const GATEWAY_COMMAND = ['node', '--import', 'tsx', 'src/gateway/main.ts'];
export const WORKER_COMMAND = ['node', '--import', 'tsx', 'src/worker/main.ts'];
export const APP_SERVICES = ['worker', 'gateway'] as const;
/** A token for interpolating `${API_TOKEN:?...}`: long enough for configSchema. */
export const TEST_TOKEN = 'compose-test-token-0123456789abcdef';

export const composeText = fs.readFileSync(COMPOSE_FILE, 'utf8');
// `merge: true` so the `<<: *relay-environment` merge keys resolve as Compose resolves them.
export const compose = mapping(parse(composeText, { merge: true }), 'docker-compose.yml');
export const services = mapping(compose.services, 'services');

export function service(name: string): Mapping {
  return mapping(services[name], `services.${name}`);
}

/** A service's environment as written (before interpolation); list or mapping syntax. */
export function environment(name: string): Map<string, string | null> {
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
/** The container ports a `ports:` list publishes (short or long syntax). */
export function containerPorts(value: unknown, what: string): number[] {
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
export function mounts(name: string): { source: string; target: string }[] {
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

export function isAlpine(image: string): boolean {
  return /alpine/i.test(image);
}

/** `[registry/]repository[:tag][@sha256:digest]`, split. */
function parseImage(image: string): { repository: string; tag: string | undefined; digest: string | undefined } {
  const [ref = '', digest] = image.split('@');
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1), digest };
  return { repository: ref, tag: undefined, digest };
}

/** The services' own images (everything but worker and gateway, which build ours). */
export const THIRD_PARTY = ['postgres', 'temporal', 'temporal-setup', 'temporal-ui', 'jaeger', 'prometheus', 'grafana'] as const;

export function image(name: string): { repository: string; tag: string; digest: string | undefined } {
  const value = str(service(name).image, `services.${name}.image`);
  const parsed = parseImage(value);
  assert.ok(parsed.tag || parsed.digest, `${name}: image ${value} has neither tag nor digest`);
  return { ...parsed, tag: parsed.tag ?? '' };
}

/** Docker Hub official images may be written with or without docker.io/ and library/. */
export function hubRepository(repository: string): string {
  return repository.replace(/^docker\.io\//, '').replace(/^library\//, '');
}

/** A service's environment after Compose-style interpolation with `vars`. */
export function resolvedEnvironment(name: string, vars: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of environment(name)) {
    if (value !== null) out[key] = interpolate(value, vars);
  }
  return out;
}

/** A service's `depends_on` in long form: service name → condition. */
export function dependsOn(name: string): Map<string, string> {
  const value = mapping(service(name).depends_on, `services.${name}.depends_on (long form, with conditions)`);
  return new Map(
    Object.entries(value).map(([dep, spec]) => [dep, str(mapping(spec, `services.${name}.depends_on.${dep}`).condition, `${name} → ${dep} condition`)]),
  );
}

/** Published ports as { hostIp, target } (short or long syntax). */
export function portBindings(name: string): { hostIp: string | undefined; target: number }[] {
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

export function healthcheckWords(name: string): string[] {
  const healthcheck = mapping(service(name).healthcheck, `services.${name}.healthcheck`);
  return commandWords(healthcheck.test, `services.${name}.healthcheck.test`);
}

/** Interpolation values to try: the defaults alone, and every password/namespace override set. */
export const VARIABLE_SETS: Record<string, string | undefined>[] = [
  { API_TOKEN: TEST_TOKEN },
  { API_TOKEN: TEST_TOKEN, POSTGRES_PASSWORD: 'another-secret', TEMPORAL_NAMESPACE: 'relay-prod' },
];

/** Every service of the file, sorted. */
export const ALL_SERVICES = ['gateway', 'grafana', 'jaeger', 'postgres', 'prometheus', 'temporal', 'temporal-setup', 'temporal-ui', 'worker'];
export const DEPLOY = path.join(ROOT, 'deploy');

/** A top-level `configs:` entry's file, resolved against the project directory. */
function configFile(name: string): string {
  const entry = mapping(mapping(compose.configs, 'configs')[name], `configs.${name}`);
  return path.resolve(ROOT, str(entry.file, `configs.${name}.file`));
}

/** Where a service's configs land in its container: target → file in this repository. */
export function serviceConfigs(name: string): Map<string, string> {
  const list = service(name).configs;
  if (!Array.isArray(list)) assert.fail(`services.${name}.configs should be a list`);
  return new Map(
    list.map((entry) => {
      const m = mapping(entry, `services.${name}.configs[]`);
      return [str(m.target, 'config target'), configFile(str(m.source, 'config source'))];
    }),
  );
}

export function readYaml(file: string): Mapping {
  return mapping(parse(fs.readFileSync(file, 'utf8')), path.relative(ROOT, file));
}
