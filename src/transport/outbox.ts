// Per-connection outbox: Bun's socket.write may take only part of the bytes and keeps none of
// the rest, so what it leaves is queued here and flushed on `drain`. One write per flush.

/** The part of a Bun socket the outbox uses. */
export interface Writable {
  write(data: Uint8Array): number;
  end(): void;
}

/** Lines added in one flush are joined into one write up to this size; larger ones go alone. */
const JOIN_BYTES_MAX = 64 * 1024;

export class Outbox {
  /** Bytes the socket has not taken yet, oldest first. */
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  /** Lines added since the last flush. */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private closing = false;
  private ended = false;

  /** @param capBytes more than this many unsent bytes: the peer is a slow consumer. */
  constructor(
    private readonly socket: Writable,
    private readonly capBytes: number,
  ) {}

  /** Adds a line; it goes out on the next `flush`. */
  push(line: Uint8Array): void {
    if (this.closing) return;
    this.pending.push(line);
    this.pendingBytes += line.length;
  }

  /** Writes what it can. Returns false if the peer is too slow (the caller closes it). */
  flush(): boolean {
    if (this.pending.length > 0) {
      // A reply and the trigger after it go out in one syscall when they are small.
      if (this.pending.length > 1 && this.pendingBytes <= JOIN_BYTES_MAX) this.queue.push(join(this.pending, this.pendingBytes));
      else this.queue.push(...this.pending);
      this.queuedBytes += this.pendingBytes;
      this.pending = [];
      this.pendingBytes = 0;
    }
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const written = this.socket.write(head);
      if (written < 0) return true; // socket closed: its close handler reports it
      this.queuedBytes -= written;
      if (written < head.length) {
        this.queue[0] = head.subarray(written);
        return this.queuedBytes <= this.capBytes;
      }
      this.queue.shift();
    }
    if (this.closing && !this.ended) {
      this.ended = true;
      this.socket.end();
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
}

function join(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
