import type { Priority } from '@temporalio/common';

/** Temporal's longest fairness key, in bytes. */
const MAX_KEY_BYTES = 64;

/** Keys of work that belongs to no one tenant; `~` never occurs in a tenant id. */
export const BROADCAST_FAIRNESS_KEY = '~broadcast';
export const SYSTEM_FAIRNESS_KEY = '~system';

/**
 * The fairness key of a tenant's tasks: its id, so the Web UI and task queue statistics name it.
 * An id longer than Temporal allows keeps its start and a hash of the whole (tenant ids are ASCII:
 * one byte a character). Pure string arithmetic, since workflows call it too.
 */
export function fairnessKeyOf(tenantId: string | null | undefined): string {
  if (tenantId === null || tenantId === undefined) return BROADCAST_FAIRNESS_KEY;
  if (tenantId.length <= MAX_KEY_BYTES) return tenantId;
  return `${tenantId.slice(0, MAX_KEY_BYTES - 17)}~${fnv1a64(tenantId)}`;
}

/** The priority every workflow a tenant's work starts carries (activities inherit it). */
export function tenantPriority(tenantId: string | null | undefined): Priority {
  return { fairnessKey: fairnessKeyOf(tenantId) };
}

export const SYSTEM_PRIORITY: Priority = { fairnessKey: SYSTEM_FAIRNESS_KEY };

/** FNV-1a, 64 bits, as 16 hex digits: enough to keep two long ids apart. */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}
