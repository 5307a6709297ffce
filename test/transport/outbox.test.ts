// The transport's Outbox through its Writable seam: partial writes, joining, back-pressure and the
// slow-consumer cap, close after flush. No sockets: a fake Writable takes what it is told to.
import { describe, expect, test } from "bun:test";
import { Outbox, type Writable } from "../../src/transport/outbox.ts";

/** A socket that accepts at most `room` bytes per write (Infinity: all), records what it took. */
class FakeSocket implements Writable {
  readonly written: number[] = [];
  writes = 0;
  ended = false;
  closed = false;
  constructor(public room = Infinity) {}
  write(data: Uint8Array, byteOffset: number, byteLength: number): number {
    this.writes++;
    if (this.closed) return -1;
    const n = Math.min(byteLength, this.room);
    this.written.push(...data.subarray(byteOffset, byteOffset + n));
    return n;
  }
  shutdown(): void {
    this.ended = true;
  }
}

const bytes = (...values: number[]) => new Uint8Array(values);
const range = (from: number, length: number) => Uint8Array.from({ length }, (_, i) => (from + i) & 0xff);

describe("Outbox", () => {
  test("writes the lines added since the last flush in one write, in order", () => {
    const s = new FakeSocket();
    const o = new Outbox(s, 100);
    o.push(bytes(1, 2));
    o.push(bytes(3));
    expect(s.writes).toBe(0);
    expect(o.flush()).toBe(true);
    expect(s.writes).toBe(1);
    expect(s.written).toEqual([1, 2, 3]);
    expect(o.unsentBytes).toBe(0);
  });

  test("keeps what a partial write leaves and sends it on the next flush (drain), byte for byte", () => {
    const s = new FakeSocket(3);
    const o = new Outbox(s, 1000);
    o.push(range(0, 10));
    expect(o.flush()).toBe(true);
    expect(s.written).toEqual([0, 1, 2]);
    expect(o.unsentBytes).toBe(7);
    s.room = Infinity;
    expect(o.flush()).toBe(true);
    expect(s.written).toEqual([...range(0, 10)]);
    expect(o.unsentBytes).toBe(0);
  });

  test("lines over the join size go out one write each, unjoined", () => {
    const s = new FakeSocket();
    const o = new Outbox(s, 1 << 20);
    o.push(range(0, 70 * 1024));
    o.push(bytes(9));
    o.flush();
    expect(s.writes).toBe(2);
    expect(s.written.length).toBe(70 * 1024 + 1);
  });

  test("reports a slow consumer once the unsent bytes pass the cap, not before", () => {
    const s = new FakeSocket(0);
    const o = new Outbox(s, 10);
    o.push(range(0, 10));
    expect(o.flush()).toBe(true); // exactly at the cap
    o.push(bytes(1));
    expect(o.flush()).toBe(false);
    expect(o.unsentBytes).toBe(11);
  });

  test("ends the socket only once everything queued before the close is written", () => {
    const s = new FakeSocket(4);
    const o = new Outbox(s, 1000);
    o.push(range(0, 10));
    o.closeWhenFlushed();
    expect(s.ended).toBe(false);
    o.flush();
    expect(s.ended).toBe(false);
    o.flush();
    expect(s.ended).toBe(true);
    expect(s.written).toEqual([...range(0, 10)]);
    o.push(bytes(1)); // after the close: dropped
    o.flush();
    expect(s.written.length).toBe(10);
  });

  test("a socket that is already closed (write returns -1) is left to its close handler", () => {
    const s = new FakeSocket();
    s.closed = true;
    const o = new Outbox(s, 10);
    o.push(range(0, 50));
    expect(o.flush()).toBe(true);
  });
});

describe("Outbox and reused buffers (the decoders' scratch)", () => {
  test("a line is read only until its flush: what the socket leaves is a copy, so the caller may reuse the buffer", () => {
    const s = new FakeSocket(3);
    const o = new Outbox(s, 1000);
    const reused = range(0, 10);
    o.push(reused);
    o.flush();
    reused.fill(0xff); // the scratch's next read
    s.room = Infinity;
    o.flush();
    expect(s.written).toEqual([...range(0, 10)]);
  });

  test("joined lines a partial write leaves are kept too, and later lines wait behind them in order", () => {
    const s = new FakeSocket(2);
    const o = new Outbox(s, 1000);
    const a = bytes(1, 2, 3);
    const b = bytes(4, 5);
    o.push(a);
    o.push(b);
    o.flush(); // joined: 1 2 go out, 3 4 5 kept
    a.fill(0);
    b.fill(0);
    const c = bytes(6);
    o.push(c);
    o.flush(); // 3 4 go out; 5 and 6 wait
    c.fill(0);
    expect(o.unsentBytes).toBe(2);
    s.room = Infinity;
    o.flush();
    expect(s.written).toEqual([1, 2, 3, 4, 5, 6]);
  });

  test("once the socket says it is closed, nothing more is kept or counted as unsent", () => {
    const s = new FakeSocket(2);
    const o = new Outbox(s, 5);
    o.push(range(0, 4));
    o.flush();
    s.closed = true;
    o.push(range(0, 100));
    expect(o.flush()).toBe(true);
    expect(o.unsentBytes).toBe(0);
  });
});
