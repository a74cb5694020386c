// Typed access to parsed YAML (docker-compose.yml, the Prometheus and Grafana files) for the
// static deploy tests: each helper fails the test with the path it expected, instead of letting an
// `undefined` travel on. And Compose's own variable interpolation, enough for this project's file.
import assert from 'node:assert/strict';

export type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function mapping(value: unknown, what: string): Mapping {
  if (!isMapping(value)) assert.fail(`${what} should be a mapping, got ${JSON.stringify(value)}`);
  return value;
}

export function str(value: unknown, what: string): string {
  if (typeof value !== 'string') assert.fail(`${what} should be a string, got ${JSON.stringify(value)}`);
  return value;
}

export function strings(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    assert.fail(`${what} should be a list of strings, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A compose `command`/`entrypoint`/healthcheck `test`: a list, or a string split on whitespace. */
export function commandWords(value: unknown, what: string): string[] {
  if (typeof value === 'string') return value.trim().split(/\s+/);
  return strings(value, what);
}

/**
 * Compose-style interpolation, enough for this file: ${VAR}, ${VAR:-default}, ${VAR-default},
 * ${VAR:?message}, ${VAR?message} and $$. Throws, as Compose does, when a required one is unset.
 */
export function interpolate(value: string, env: Record<string, string | undefined>): string {
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
