// The broker's two data structures: the indexed deadline heap and the intrusive queue.
import { describe, expect, test } from "bun:test";
import { Deadlines, type Timed } from "../../src/broker/deadlines.ts";
import { Fifo, type Linked } from "../../src/broker/fifo.ts";

interface Item extends Timed {
  readonly id: number;
}
const item = (id: number): Item => ({ id, deadlineMs: 0, heapIndex: -1 });

/** A small deterministic generator (xorshift32): the same cases every run. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe("Deadlines", () => {
  test("always shows the earliest deadline, through 20,000 random sets, moves and clears", () => {
    const heap = new Deadlines<Item>();
    const items = Array.from({ length: 200 }, (_, i) => item(i));
    const live = new Map<Item, number>();
    const random = rng(7);
    for (let step = 0; step < 20_000; step++) {
      const it = items[Math.floor(random() * items.length)]!;
      if (random() < 0.3) {
        heap.clear(it);
        live.delete(it);
      } else {
        const at = Math.floor(random() * 1_000_000);
        heap.set(it, at);
        live.set(it, at);
      }
      const min = live.size === 0 ? null : Math.min(...live.values());
      expect(heap.nextMs()).toBe(min);
      expect(heap.size).toBe(live.size);
    }
  });

  test("due() gives items at or before now, earliest first, until none is due", () => {
    const heap = new Deadlines<Item>();
    const [a, b, c] = [item(1), item(2), item(3)];
    heap.set(a, 30);
    heap.set(b, 10);
    heap.set(c, 20);
    const order: number[] = [];
    for (let t = heap.due(25); t !== null; t = heap.due(25)) {
      order.push(t.id);
      heap.clear(t);
    }
    expect(order).toEqual([2, 3]);
    expect(heap.nextMs()).toBe(30);
    expect(heap.has(a)).toBe(true);
    heap.clear(b); // not timed any more: nothing happens
    expect(heap.size).toBe(1);
  });
});

describe("Fifo", () => {
  interface Node extends Linked<Node> {
    readonly id: number;
  }
  const node = (id: number): Node => ({ id, prev: null, next: null, list: null });

  test("keeps arrival order; leaving from the middle, the head or the tail is O(1)", () => {
    const q = new Fifo<Node>();
    const nodes = [1, 2, 3, 4, 5].map(node);
    nodes.forEach((n) => q.push(n));
    q.remove(nodes[2]!);
    q.remove(nodes[0]!);
    q.remove(nodes[4]!);
    expect([...q].map((n) => n.id)).toEqual([2, 4]);
    expect(q.length).toBe(2);
    expect(q.shift()?.id).toBe(2);
    expect(q.first()?.id).toBe(4);
    q.push(nodes[0]!);
    expect(q.peek(5).map((n) => n.id)).toEqual([4, 1]);
  });

  test("an item is in one queue at a time: a bug, caught loudly", () => {
    const a = new Fifo<Node>();
    const b = new Fifo<Node>();
    const n = node(1);
    a.push(n);
    expect(() => b.push(n)).toThrow(/invariant failed/);
    expect(() => b.remove(n)).toThrow(/invariant failed/);
  });
});
