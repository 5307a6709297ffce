// An intrusive first-in first-out list: items carry their own links, so joining, leaving from
// anywhere and taking the head are O(1) and allocate nothing. Pure.
import { invariant } from "./invariant.ts";

/** What an item of a Fifo carries (one Fifo at a time). */
export interface Linked<T> {
  prev: T | null;
  next: T | null;
  /** The list the item is in, or null. */
  list: { remove(item: T): void } | null;
}

export class Fifo<T extends Linked<T>> {
  private head: T | null = null;
  private tail: T | null = null;
  length = 0;

  push(item: T): void {
    invariant(item.list === null, "an item is in one queue at a time");
    item.list = this;
    item.prev = this.tail;
    item.next = null;
    if (this.tail) this.tail.next = item;
    else this.head = item;
    this.tail = item;
    this.length++;
  }

  /** Removes `item`, which must be in this list. */
  remove(item: T): void {
    invariant(item.list === this, "an item leaves the queue it is in");
    if (item.prev) item.prev.next = item.next;
    else this.head = item.next;
    if (item.next) item.next.prev = item.prev;
    else this.tail = item.prev;
    item.prev = item.next = null;
    item.list = null;
    this.length--;
  }

  first(): T | null {
    return this.head;
  }

  shift(): T | null {
    const item = this.head;
    if (item) this.remove(item);
    return item;
  }

  /** The first `n` items in order (n ≤ length), without removing them. */
  peek(n: number): T[] {
    const out: T[] = [];
    for (let item = this.head; item && out.length < n; item = item.next) out.push(item);
    return out;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let item = this.head; item; item = item.next) yield item;
  }
}

/** A fresh set of links for an object that goes into a Fifo. */
export function unlinked<T>(): Linked<T> {
  return { prev: null, next: null, list: null };
}
