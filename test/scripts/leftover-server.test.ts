import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { rememberServer, stopLeftoverServer } from '../../scripts/lib/leftover-server';
import { freePort, startDevServer, stopDevServer } from '../helpers/dev-server-process';

const alive = (pid: number) => fs.existsSync(`/proc/${pid}`) && !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

test("the next npm run dev stops the Temporal server a killed one left running, and nothing else", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leftover-'));
  const dbFile = path.join(dir, 'temporal.sqlite');
  const pidFile = path.join(dir, 'temporal.pid');
  const server = await startDevServer(await freePort(), dbFile);
  const bystander = spawn('sleep', ['60']);
  try {
    // A pid file naming some other process (a reused pid) is dropped without harm.
    rememberServer(pidFile, bystander.pid!);
    assert.equal(await stopLeftoverServer(pidFile, dbFile), false);
    assert.ok(alive(bystander.pid!), 'a process that is not our server is left alone');
    assert.ok(!fs.existsSync(pidFile));
    // Our server, on this database file: stopped.
    rememberServer(pidFile, server.pid!);
    const exited = new Promise((resolve) => server.once('exit', resolve));
    assert.equal(await stopLeftoverServer(pidFile, dbFile), true);
    await exited;
    assert.ok(!fs.existsSync(pidFile));
  } finally {
    bystander.kill('SIGKILL');
    await stopDevServer(server, 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
