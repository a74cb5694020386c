import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RoundRobinQueue } from '../../src/core/round-robin-queue';

const drain = <T>(q: RoundRobinQueue<T>) => {
  const out: T[] = [];
  for (let item = q.shift(); item !== undefined; item = q.shift()) out.push(item);
  return out;
};

test('keys are served in turn: a key with many items does not hold up a key with one', () => {
  const q = new RoundRobinQueue<string>();
  for (let i = 0; i < 1000; i++) q.push('big', `big-${i}`);
  q.push('small', 'small-0');
  assert.equal(q.size, 1001);
  assert.deepEqual([q.shift(), q.shift(), q.shift()], ['big-0', 'small-0', 'big-1']);
  assert.equal(q.size, 998);
});

test('an item put back goes first, before its key and every other', () => {
  const q = new RoundRobinQueue<string>();
  q.push('a', 'a0');
  q.push('b', 'b0');
  q.push('a', 'a1');
  const first = q.shift()!;
  q.unshift('a', first);
  assert.deepEqual(drain(q), ['a0', 'b0', 'a1']);
});

test("every item comes out once, in its key's order", () => {
  const ops = fc.array(fc.oneof(fc.record({ push: fc.constantFrom('a', 'b', 'c', 'd') }), fc.constant({ shift: true })), { maxLength: 400 });
  fc.assert(
    fc.property(ops, (list) => {
      const q = new RoundRobinQueue<{ key: string; n: number }>();
      const pushed: Record<string, number> = {};
      const out: { key: string; n: number }[] = [];
      for (const op of list) {
        if ('push' in op) q.push(op.push, { key: op.push, n: (pushed[op.push] = (pushed[op.push] ?? 0) + 1) });
        else {
          const item = q.shift();
          if (item) out.push(item);
        }
      }
      out.push(...drain(q));
      assert.equal(out.length, Object.values(pushed).reduce((a, b) => a + b, 0));
      for (const key of Object.keys(pushed)) {
        assert.deepEqual(out.filter((i) => i.key === key).map((i) => i.n), Array.from({ length: pushed[key]! }, (_, i) => i + 1));
      }
    }),
    { numRuns: 200 },
  );
});
