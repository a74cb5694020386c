import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { MAIN_PHASES } from '../../bench/phases';

// bench/README.md describes `npm run bench` by its phases table; this keeps that description and
// the table bench/run.ts walks (bench/phases.ts) the same, so neither drifts from the other.
const readme = fs.readFileSync(path.resolve(__dirname, '../../bench/README.md'), 'utf8');

/** The rows of the README's phases table: `| # | phase | what it measures | off with |`. */
function readmePhases(): { name: string; measures: string }[] {
  return readme
    .split('\n')
    .filter((line) => /^\| \d+ \| `/.test(line))
    .map((line) => {
      const [, , name, measures] = line.split('|').map((cell) => cell.trim().replaceAll('`', ''));
      return { name: name!, measures: measures! };
    });
}

test("bench/README.md's phases table lists the phases of MAIN_PHASES, in order, with what each measures", () => {
  assert.deepEqual(
    readmePhases(),
    MAIN_PHASES.map((p) => ({ name: p.name, measures: p.measures })),
  );
});

test('the phases that need the stack stopped come after every phase that uses it', () => {
  const stopped = MAIN_PHASES.map((p) => p.stack === 'stopped');
  assert.deepEqual(stopped, [...stopped].sort((a, b) => Number(a) - Number(b)), 'a phase on the stack after one that stopped it');
});
