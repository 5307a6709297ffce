// For games and bots that speak v1 only (built on the original crate, or an SDK without rooms):
// a port of their own where the arena puts its room and seat ticket into their hello (PROTOCOL.md
// §9.1, §9.7), and keeps the Welcome from them, as the original broker would. After the hello, bytes
// pass through untouched both ways. One listener per process; node:net keeps the back-pressure.
import { createServer, connect, type Server, type Socket } from "node:net";
import { Control, Opcode, decodeHello, decodeLine, encodeHello, encodeLine, message } from "../protocol/index.ts";

export interface Seating {
  readonly room: string;
  /** The bot's seat ticket; null for the game. */
  readonly seat: number | null;
}

/**
 * The hello line (without its "\n") with the room and seat filled in where the client gave none;
 * `v1` when it sent no Hello (so the Welcome must not reach it). Null when it is not a hello: it
 * is passed on as it came, for the broker to refuse.
 */
export function placeHello(line: Uint8Array, seating: Seating): { line: string; v1: boolean } | null {
  let m;
  try {
    m = decodeLine(line);
  } catch {
    return null;
  }
  if (m.opcode !== Opcode.control || (m.operand !== Control.gameHello && m.operand !== Control.botHello)) return null;
  let hello;
  try {
    hello = decodeHello(m.body);
  } catch {
    return null;
  }
  const isBot = m.operand === Control.botHello;
  const body = encodeHello({
    ...(hello ?? {}),
    room: hello?.room || seating.room,
    seat: isBot ? (hello?.seat ?? seating.seat) : null,
  });
  return { line: encodeLine(message(Opcode.control, m.operand, body)), v1: hello === null };
}

const FIRST_LINE_MAX = 4096;

export class HelloRelay {
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server) {}

  /** Listens on 127.0.0.1, a free port; each connection goes on to the broker at `to`. */
  static async start(to: { host: string; port: number }, seating: Seating): Promise<HelloRelay> {
    const server = createServer();
    const relay = new HelloRelay(server);
    server.on("connection", (client) => relay.accept(client, to, seating));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return relay;
  }

  get port(): number {
    const a = this.server.address();
    return typeof a === "object" && a !== null ? a.port : 0;
  }

  close(): void {
    this.server.close();
    for (const s of this.sockets) s.destroy();
  }

  private accept(client: Socket, to: { host: string; port: number }, seating: Seating): void {
    const upstream = connect(to.port, to.host);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
      // Either side going away takes the other with it, as a direct connection would.
      s.on("error", () => (s === client ? upstream : client).destroy());
      s.on("close", () => (s === client ? upstream : client).end());
    }
    let head = Buffer.alloc(0);
    const firstLine = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const nl = head.indexOf(10);
      if (nl < 0 && head.length < FIRST_LINE_MAX) return;
      client.off("data", firstLine);
      const placed = nl < 0 ? null : placeHello(head.subarray(0, nl), seating);
      upstream.write(placed ? Buffer.concat([Buffer.from(placed.line), head.subarray(nl + 1)]) : head);
      client.pipe(upstream);
      if (placed?.v1) dropWelcome(upstream, client);
      else upstream.pipe(client);
    };
    client.on("data", firstLine);
  }
}

/** Passes the broker's lines to a v1 client, less the Welcome that comes first (if it comes). */
function dropWelcome(upstream: Socket, client: Socket): void {
  let head = Buffer.alloc(0);
  const first = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const nl = head.indexOf(10);
    if (nl < 0 && head.length < FIRST_LINE_MAX) return;
    upstream.off("data", first);
    const isWelcome = nl >= 0 && isWelcomeLine(head.subarray(0, nl));
    client.write(isWelcome ? head.subarray(nl + 1) : head);
    upstream.pipe(client);
  };
  upstream.on("data", first);
}

function isWelcomeLine(line: Uint8Array): boolean {
  try {
    const m = decodeLine(line);
    return m.opcode === Opcode.control && m.operand === Control.welcome;
  } catch {
    return false;
  }
}
