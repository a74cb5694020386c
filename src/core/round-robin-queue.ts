/**
 * A queue per key, taken from in turn: one item of each key with items, then the next round. A key
 * with a thousand items waiting does not hold up a key with one (the dispatcher keys by tenant);
 * within a key, first in, first out.
 */
export class RoundRobinQueue<T> {
  private readonly queues = new Map<string, Fifo<T>>();
  /** Keys with items, in the order they are served. */
  private readonly turns: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(key: string, item: T): void {
    this.queueOf(key).push(item);
    this.count++;
  }

  /** Puts an item back at the front of its key's queue, and its key first in turn (a retry). */
  unshift(key: string, item: T): void {
    const queue = this.queues.get(key);
    if (queue) {
      queue.unshift(item);
      this.turns.splice(this.turns.indexOf(key), 1);
    } else {
      this.queues.set(key, new Fifo([item]));
    }
    this.turns.unshift(key);
    this.count++;
  }

  /** The next item: the front of the key whose turn it is; that key then goes to the back. */
  shift(): T | undefined {
    const key = this.turns.shift();
    if (key === undefined) return undefined;
    const queue = this.queues.get(key)!;
    const item = queue.shift()!;
    if (queue.size > 0) this.turns.push(key);
    else this.queues.delete(key);
    this.count--;
    return item;
  }

  private queueOf(key: string): Fifo<T> {
    let queue = this.queues.get(key);
    if (!queue) {
      queue = new Fifo<T>([]);
      this.queues.set(key, queue);
      this.turns.push(key);
    }
    return queue;
  }
}

/** First in, first out in O(1): a read position into an array, compacted once half of it is read. */
class Fifo<T> {
  private head = 0;

  constructor(private items: T[]) {}

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  unshift(item: T): void {
    if (this.head > 0) this.items[--this.head] = item;
    else this.items.unshift(item);
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
