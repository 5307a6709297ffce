// Per-connection outbox: Bun's socket.write may take only part of the bytes and keeps none of
// the rest, so what it leaves is queued here and flushed on `drain`. Lines are ASCII (base64),
// so a string's length is its byte length.

/** The part of a Bun socket the outbox uses. */
export interface Writable {
  write(data: string): number;
  end(): void;
}

export class Outbox {
  private queue: string[] = [];
  private queuedBytes = 0;
  /** Lines added since the last flush: written together, in one write call. */
  private pending = "";
  private closing = false;
  private ended = false;

  /** @param capBytes more than this many unsent bytes: the peer is a slow consumer. */
  constructor(
    private readonly socket: Writable,
    private readonly capBytes: number,
  ) {}

  /** Adds a line; it goes out on the next `flush`. */
  push(line: string): void {
    if (!this.closing) this.pending += line;
  }

  /** Writes what it can. Returns false if the peer is too slow (the caller closes it). */
  flush(): boolean {
    if (this.pending !== "") {
      this.queue.push(this.pending);
      this.queuedBytes += this.pending.length;
      this.pending = "";
    }
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const written = this.socket.write(head);
      if (written < 0) return true; // socket closed: its close handler reports it
      this.queuedBytes -= written;
      if (written < head.length) {
        this.queue[0] = head.slice(written);
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
    return this.queuedBytes + this.pending.length;
  }
}
