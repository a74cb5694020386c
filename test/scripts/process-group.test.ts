import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { spawnInGroup, stopGroup } from '../../scripts/lib/process-group';
import { waitUntil } from '../../scripts/lib/wait';

const root = path.resolve(__dirname, '..', '..');

/** True while `pid` runs (a zombie has ended: it only waits to be reaped). */
function runs(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!);
  } catch {
    return false;
  }
}

/** A SIGKILLed process ends as soon as the kernel schedules it: wait for that, briefly. */
const gone = (pid: number, what: string) => waitUntil(() => !runs(pid), { timeoutMs: 5000, what });

/** The first line a child prints. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`exited (${code}) before printing a line`)));
  });
}

// A leader that ignores SIGTERM (as a Temporal worker still starting does) and has a child of its own.
const STUBBORN = `
const { spawn } = require('node:child_process');
const grandchild = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
process.on('SIGTERM', () => {});
setInterval(() => {}, 1000);
console.log(grandchild.pid);`;

test('stopGroup kills a leader that ignores SIGTERM after the grace period, and its whole group', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const leader = spawnInGroup(process.execPath, ['-e', STUBBORN], { stdio: ['ignore', 'pipe', 'inherit'] });
  const grandchild = Number(await firstLine(leader));
  assert.ok(runs(grandchild));
  await stopGroup(leader, 300);
  assert.equal(leader.signalCode, 'SIGKILL');
  await gone(grandchild, 'the child of the leader to go with the group');
});

// A parent that starts a group, kills it from its 'exit' handler as npm run dev does, then crashes.
const CRASHING_PARENT = `
const { killGroupsNow, spawnInGroup } = require(${JSON.stringify(path.join(root, 'scripts', 'lib', 'process-group.ts'))});
const child = spawnInGroup(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
process.once('exit', () => killGroupsNow([child]));
console.log(child.pid);
process.stdin.once('data', () => { throw new Error('crash'); });`;

test("a process's exit handler kills the groups it started, even when it crashes", { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const parent = spawn(process.execPath, ['--import', 'tsx', '-e', CRASHING_PARENT], { cwd: root, stdio: ['pipe', 'pipe', 'ignore'] });
  const child = Number(await firstLine(parent));
  assert.ok(runs(child));
  const exited = new Promise<number | null>((resolve) => parent.once('exit', (code) => resolve(code)));
  parent.stdin!.write('go\n');
  assert.equal(await exited, 1, 'the parent crashed');
  await gone(child, 'its child to be killed on the way out');
});
