// Static checks of the image: the Dockerfile (Debian node base, npm ci, what it copies, non-root
// user, exec-form CMD) and .dockerignore. No Docker engine is needed: the files are parsed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { DOCKERFILE, DOCKERIGNORE, GATEWAY_COMMAND, isAlpine } from './compose-file';
import { strings } from './yaml';

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
