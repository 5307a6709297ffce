// The thinnest relay Bun allows: for each port given, a loopback listener whose every connection
// is copied byte for byte, both ways, to a new connection to that port. A yardstick of the bench
// (the system `pipe`), never part of the broker: it reads no protocol and keeps no state but bytes.
//
// usage: bun bench/pipe/pipe.ts PORT...    prints {"event":"ready","ports":[...]} (one per PORT, in order)
//
// A turn through it costs the same syscalls as through our broker (per hop: one epoll wake-up,
// one recvfrom, one sendto) and nothing else, so its latency is the floor of any relay on Bun.
import type { Socket } from "bun";

/** One socket of a piped pair: what waits to be written to it, and the other socket's End. */
class End {
  socket: Socket<End> | null = null; // null until the upstream connection is open
  peer: End = this;
  /** Bytes this socket has not taken yet, oldest first; written on `drain`. Unbounded: the
   * bench's peers wait for each answer, so at most one message per direction is in flight. */
  private readonly queue: Uint8Array[] = [];
  private ending = false;

  attach(socket: Socket<End>): void {
    socket.setNoDelay(true);
    this.socket = socket;
    this.flush(); // what arrived before the upstream connection was open
  }

  /** Writes `chunk` at once (as it arrives: no batching), or keeps what the socket does not take.
   * Bun hands every read a fresh buffer, so a kept chunk is not copied. */
  write(chunk: Uint8Array): void {
    if (this.socket === null || this.queue.length > 0) {
      this.queue.push(chunk);
      return;
    }
    const written = this.socket.write(chunk);
    // Bun's write may take only part of the bytes and keeps none of the rest; -1: closed.
    if (written >= 0 && written < chunk.length) this.queue.push(chunk.subarray(written));
  }

  /** Writes the kept bytes, oldest first, until the socket takes no more; then ends if asked. */
  flush(): void {
    const socket = this.socket;
    if (socket === null) return;
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const written = socket.write(head);
      if (written < 0) {
        this.queue.length = 0;
        return;
      }
      if (written < head.length) {
        this.queue[0] = head.subarray(written);
        return;
      }
      this.queue.shift();
    }
    if (this.ending) socket.end();
  }

  /** The other side has closed: end this one once its kept bytes are written. */
  end(): void {
    this.ending = true;
    this.flush();
  }
}

/** Both sockets of a pair share these: data goes to the other End, drain flushes this one. */
const relay = {
  data(socket: Socket<End>, chunk: Uint8Array) {
    socket.data.peer.write(chunk);
  },
  drain(socket: Socket<End>) {
    socket.data.flush();
  },
  close(socket: Socket<End>) {
    socket.data.peer.end();
  },
};

function listen(target: number): number {
  const listener = Bun.listen<End>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      ...relay,
      open(socket) {
        const client = new End();
        const upstream = new End();
        client.peer = upstream;
        upstream.peer = client;
        socket.data = client;
        client.attach(socket);
        Bun.connect<End>({ hostname: "127.0.0.1", port: target, data: upstream, socket: { ...relay, open: (s) => upstream.attach(s) } }).catch(
          (e: unknown) => {
            console.error(`pipe: cannot connect to 127.0.0.1:${target}: ${e instanceof Error ? e.message : String(e)}`);
            client.end();
          },
        );
      },
    },
  });
  return listener.port;
}

const targets = Bun.argv.slice(2).map(Number);
if (targets.length === 0 || !targets.every((p) => Number.isInteger(p) && p > 0 && p < 65536)) {
  console.error("usage: bun bench/pipe/pipe.ts PORT...");
  process.exit(2);
}
console.log(JSON.stringify({ event: "ready", ports: targets.map(listen) }));
