import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WorkflowTypes } from '../../src/contract';
import type * as workflows from '../../workflows';

// Checked when the suite is type-checked (npm run typecheck, and tsx here): clients start
// workflows through the contract's WorkflowTypes, so each must match what workflows/ exports.
const implementsContract = (exported: typeof workflows): WorkflowTypes => exported;
const contractCoversAll = (contract: WorkflowTypes): Record<keyof typeof workflows, unknown> => contract;

test('the contract names every workflow type with the signature workflows/ implements', () => {
  assert.equal(typeof implementsContract, 'function');
  assert.equal(typeof contractCoversAll, 'function');
});
