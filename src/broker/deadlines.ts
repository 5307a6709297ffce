// Every deadline of the broker (handshakes, moves, a drain) in one indexed min-heap: the
// earliest is read in O(1); setting, moving or clearing an item's deadline is O(log n) and
// allocates nothing, since items carry their own heap position (STYLE.md: costs that do not grow
// with the number of matches). Pure.

/** Something with a deadline. `heapIndex` is the heap's business: start it at -1. */
export interface Timed {
  deadlineMs: number;
  heapIndex: number;
}

export class Deadlines<T extends Timed> {
  private readonly heap: T[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** The earliest deadline, or null when nothing is timed. */
  nextMs(): number | null {
    return this.heap[0]?.deadlineMs ?? null;
  }

  /** The earliest item if its deadline is at or before `nowMs`, else null. */
  due(nowMs: number): T | null {
    const top = this.heap[0];
    return top !== undefined && top.deadlineMs <= nowMs ? top : null;
  }

  /** Times `item` at `deadlineMs`, whether or not it was timed before. */
  set(item: T, deadlineMs: number): void {
    item.deadlineMs = deadlineMs;
    if (item.heapIndex < 0) {
      item.heapIndex = this.heap.length;
      this.heap.push(item);
    }
    this.fix(item.heapIndex);
  }

  /** Stops timing `item` (nothing happens if it was not timed). */
  clear(item: T): void {
    const i = item.heapIndex;
    if (i < 0) return;
    const last = this.heap.pop()!;
    item.heapIndex = -1;
    if (i < this.heap.length) {
      this.heap[i] = last;
      last.heapIndex = i;
      this.fix(i);
    }
  }

  has(item: T): boolean {
    return item.heapIndex >= 0;
  }

  private fix(i: number): void {
    if (!this.up(i)) this.down(i);
  }

  private up(i: number): boolean {
    const item = this.heap[i]!;
    let moved = false;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = this.heap[parent]!;
      if (p.deadlineMs <= item.deadlineMs) break;
      this.heap[i] = p;
      p.heapIndex = i;
      i = parent;
      moved = true;
    }
    this.heap[i] = item;
    item.heapIndex = i;
    return moved;
  }

  private down(i: number): void {
    const n = this.heap.length;
    const item = this.heap[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.heap[right]!.deadlineMs < this.heap[left]!.deadlineMs ? right : left;
      const c = this.heap[child]!;
      if (c.deadlineMs >= item.deadlineMs) break;
      this.heap[i] = c;
      c.heapIndex = i;
      i = child;
    }
    this.heap[i] = item;
    item.heapIndex = i;
  }
}
