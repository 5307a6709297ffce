// Per-connection outbox: Bun's socket.write may take only part of the bytes and keeps none of the
// rest, so what it leaves is copied and queued here, and flushed on `drain`. One write per flush.
// Lines pushed are read only until the flush that follows: they may be views of buffers the caller
// reuses afterwards (the decoders' scratch), so nothing keeps them past it. A close is a lingering
// one: the write side is shut once flushed, the read side stays open.

/** The part of a Bun socket the outbox uses. */
export interface Writable {
  /** Bun's socket.write: `byteLength` bytes of `data` from `byteOffset`; how many it took, or -1 if closed. */
  write(data: Uint8Array, byteOffset: number, byteLength: number): number;
  /** Shuts the write side (FIN); the socket stays readable until the peer closes. */
  shutdown(): void;
}

/** Lines added in one flush are joined into one write up to this size; larger ones go alone. */
const JOIN_BYTES_MAX = 64 * 1024;
const NOTHING = new Uint8Array(0);
/** Where small lines are joined: one for every outbox, as a join is written (or copied) at once. */
let joinBuffer = new Uint8Array(1024);

export class Outbox {
  /** Copies of what the socket has not taken yet, oldest first (a slow or busy peer). */
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  /** Lines added since the last flush: the first `pendingCount` entries. */
  private readonly pending: Uint8Array[] = [];
  private pendingCount = 0;
  private pendingBytes = 0;
  private closing = false;
  /** The socket said it is closed: nothing more is written or kept (its close handler reports it). */
  private closed = false;
  private ended = false;

  /** @param capBytes more than this many unsent bytes: the peer is a slow consumer. */
  constructor(
    private readonly socket: Writable,
    private readonly capBytes: number,
  ) {}

  /** Adds a line; it goes out on the next `flush`, which must come before the line's buffer is reused. */
  push(line: Uint8Array): void {
    if (this.closing) return;
    this.pending[this.pendingCount++] = line;
    this.pendingBytes += line.length;
  }

  /** Writes what it can. Returns false if the peer is too slow (the caller closes it). */
  flush(): boolean {
    if (this.closed) {
      this.clearPending();
      return true;
    }
    if (this.queuedBytes > 0 && !this.writeQueue()) {
      // Still blocked: the new lines wait behind the old ones.
      for (let i = 0; i < this.pendingCount; i++) this.keep(this.pending[i]!, 0);
      this.clearPending();
      return this.queuedBytes <= this.capBytes;
    }
    if (this.pendingCount > 0) {
      // A reply and the trigger after it go out in one syscall when they are small.
      if (this.pendingCount > 1 && this.pendingBytes <= JOIN_BYTES_MAX) this.writeJoined();
      else for (let i = 0; i < this.pendingCount; i++) this.writeOrKeep(this.pending[i]!);
      this.clearPending();
      if (this.queuedBytes > 0) return this.queuedBytes <= this.capBytes;
    }
    if (this.closing && !this.ended && this.queuedBytes === 0) {
      this.ended = true;
      // Not end(): Bun's end() closes the socket at once, and whatever the peer sends after that
      // (the rest of an over-long line, say) is answered with a reset, which can make the peer
      // drop the 00 FF it has not read yet (PROTOCOL.md §7). The peer closes on our FIN; the
      // caller cuts it after a linger.
      this.socket.shutdown();
    }
    return true;
  }

  /** Ends the socket once everything queued is written. */
  closeWhenFlushed(): void {
    this.closing = true;
    this.flush();
  }

  get unsentBytes(): number {
    return this.queuedBytes + this.pendingBytes;
  }

  private writeJoined(): void {
    if (joinBuffer.length < this.pendingBytes) joinBuffer = new Uint8Array(Math.min(JOIN_BYTES_MAX, 2 ** Math.ceil(Math.log2(this.pendingBytes))));
    let at = 0;
    for (let i = 0; i < this.pendingCount; i++) {
      joinBuffer.set(this.pending[i]!, at);
      at += this.pending[i]!.length;
    }
    this.writeOrKeep(joinBuffer, at);
  }

  /** Writes bytes[0, length) unless older bytes wait; keeps a copy of what the socket does not take. */
  private writeOrKeep(bytes: Uint8Array, length = bytes.length): void {
    if (this.closed) return;
    if (this.queuedBytes > 0) return this.keep(bytes, 0, length);
    const written = this.socket.write(bytes, 0, length);
    if (written < 0) return this.close();
    if (written < length) this.keep(bytes, written, length);
  }

  private keep(bytes: Uint8Array, from: number, to = bytes.length): void {
    this.queue.push(bytes.slice(from, to));
    this.queuedBytes += to - from;
  }

  /** Writes the queued copies, oldest first; true once they are all out (or the socket is closed). */
  private writeQueue(): boolean {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const written = this.socket.write(head, 0, head.length);
      if (written < 0) {
        this.close();
        return true;
      }
      this.queuedBytes -= written;
      if (written < head.length) {
        this.queue[0] = head.subarray(written);
        return false;
      }
      this.queue.shift();
    }
    return true;
  }

  /** The socket is closed: what waits for it is dropped (its close handler reports the close). */
  private close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
  }

  /** Forgets the lines of this flush (their buffers may be reused now). */
  private clearPending(): void {
    for (let i = 0; i < this.pendingCount; i++) this.pending[i] = NOTHING;
    this.pendingCount = 0;
    this.pendingBytes = 0;
  }
}
