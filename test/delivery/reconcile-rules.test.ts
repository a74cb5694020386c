import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heldByOwner, type OpenDelivery, type Repair, repairDelivery, repairEvent, type WorkflowState } from '../../src/delivery/reconcile-rules';

const missing: WorkflowState = { kind: 'missing' };
const running: WorkflowState = { kind: 'running' };
const closed = (status: Extract<WorkflowState, { kind: 'closed' }>['status'], startedAt = '2026-11-28T10:00:00.000Z'): WorkflowState => ({
  kind: 'closed',
  status,
  startedAt,
});
const start: Repair = { action: 'start' };
const none: Repair = { action: 'none' };

test('an accepted event is started unless its workflow runs or was stopped on purpose', () => {
  const table: [WorkflowState, Repair][] = [
    [missing, start],
    [running, none],
    [closed('FAILED'), start],
    [closed('TIMED_OUT'), start],
    [closed('CANCELLED'), { action: 'end', status: 'cancelled', reason: 'event workflow cancelled before its fan-out' }],
    [closed('TERMINATED'), { action: 'end', status: 'cancelled', reason: 'event workflow terminated before its fan-out' }],
  ];
  for (const [workflow, expected] of table) assert.deepEqual(repairEvent(workflow), expected, JSON.stringify(workflow));
});

test('a pending delivery is held by its owner only while that workflow runs', () => {
  assert.equal(heldByOwner({ status: 'pending' }, running), true, 'its event or replay will start it');
  assert.equal(heldByOwner({ status: 'pending' }, closed('COMPLETED')), false, 'the owner ended without starting it');
  assert.equal(heldByOwner({ status: 'pending' }, undefined), false, 'no owner: the gateway was to start it');
  assert.equal(heldByOwner({ status: 'delivering' }, running), false, 'a delivery under way has its own run to look at');
});

test('an open delivery is started when no run drives it, ended when its run closed without a word', () => {
  const at = '2026-11-28T10:05:00.000Z';
  const pending: OpenDelivery = { status: 'pending', updatedAt: at };
  const delivering: OpenDelivery = { status: 'delivering', updatedAt: at };
  const awaiting: OpenDelivery = { status: 'awaiting_confirmation', updatedAt: at };
  const failed = (how: string): Repair => ({ action: 'end', status: 'failed', reason: `its workflow ${how} without recording an end` });
  const table: [string, OpenDelivery, WorkflowState, Repair][] = [
    ['its run is open', delivering, running, none],
    ['never started (its owner died)', pending, missing, start],
    ['Temporal lost it', delivering, missing, start],
    ['reopened after its last run (a retry whose start was lost)', pending, closed('FAILED', '2026-11-28T10:00:00.000Z'), start],
    ['reopened, and the new run was terminated before its first attempt', pending, closed('TERMINATED', '2026-11-28T10:06:00.000Z'), failed('terminated')],
    ['its run was terminated mid-attempt', delivering, closed('TERMINATED'), failed('terminated')],
    ['its run timed out while awaiting confirmation', awaiting, closed('TIMED_OUT'), failed('timed out')],
    ['its run was cancelled before it could record that', awaiting, closed('CANCELLED'), { action: 'end', status: 'cancelled', reason: 'cancelled' }],
  ];
  for (const [why, delivery, workflow, expected] of table) assert.deepEqual(repairDelivery(delivery, workflow), expected, why);
});
