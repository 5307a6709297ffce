// A raw WebSocket client for the end-to-end tests, written from RFC 6455 over a plain TCP socket:
// unlike a browser it can send what a broker must refuse (text, oversize and garbage messages) and
// stop reading (back-pressure). Test code only; the SDK and the page use real WebSocket clients.
import type { Socket } from "bun";
import { decodeEnvelope, encodeEnvelope, type Message } from "../../src/protocol/index.ts";
import { Signal, writeAll } from "./signal.ts";

const OP = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export class RawWs {
  /** Binary messages received, oldest first. */
  private readonly inbox: Uint8Array[] = [];
  private readonly signal = new Signal();
  private buffered = new Uint8Array(0);
  private fragments: Uint8Array[] = [];
  private upgraded = false;
  /** The HTTP status line and headers of the upgrade answer. */
  response = "";
  closed = false;
  /** The close frame's code, if the server sent one. */
  closeCode: number | null = null;
  closeReason = "";
  textMessages = 0;

  private constructor(private socket: Socket<undefined>) {}

  /** Connects and upgrades; rejects unless the answer is 101. */
  static async connect(port: number, path = "/ws", headers: Record<string, string> = {}): Promise<RawWs> {
    let client!: RawWs;
    const socket = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data(_s, chunk) {
          client.read(chunk);
        },
        close() {
          client.closed = true;
          client.signal.wake();
        },
        drain() {
          client.signal.wake();
        },
      },
    });
    client = new RawWs(socket);
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`);
    await client.until(() => client.upgraded || client.closed || client.response !== "", 20_000);
    if (!client.upgraded) throw new Error(`no upgrade: ${client.response || "closed"}`);
    return client;
  }

  private read(chunk: Uint8Array): void {
    const all = new Uint8Array(this.buffered.length + chunk.length);
    all.set(this.buffered);
    all.set(chunk, this.buffered.length);
    let at = 0;
    if (!this.upgraded) {
      const end = Buffer.from(all).indexOf("\r\n\r\n");
      if (end === -1) return void (this.buffered = all);
      this.response = new TextDecoder().decode(all.subarray(0, end));
      if (!this.response.startsWith("HTTP/1.1 101")) return this.signal.wake();
      this.upgraded = true;
      at = end + 4;
    }
    for (;;) {
      const frame = parseFrame(all, at);
      if (frame === null) break;
      at = frame.next;
      this.onFrame(frame.fin, frame.opcode, frame.payload);
    }
    this.buffered = all.slice(at);
    this.signal.wake();
  }

  private onFrame(fin: boolean, opcode: number, payload: Uint8Array): void {
    if (opcode === OP.ping) return void this.socket.write(frameBytes(OP.pong, payload));
    if (opcode === OP.close) {
      this.closeCode = payload.length >= 2 ? (payload[0]! << 8) | payload[1]! : null;
      this.closeReason = new TextDecoder().decode(payload.subarray(2));
      return;
    }
    if (opcode === OP.text) this.textMessages++;
    if (opcode === OP.pong || opcode === OP.text) return;
    this.fragments.push(payload);
    if (!fin) return;
    const parts = this.fragments.splice(0);
    this.inbox.push(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
  }

  private async until(ready: () => boolean, timeoutMs: number): Promise<void> {
    await this.signal.until(() => ready() || undefined, timeoutMs, () => new Error("timed out waiting on the WebSocket"));
  }

  /** Sends one binary message per envelope. */
  async send(...messages: Message[]): Promise<void> {
    for (const m of messages) await this.sendBinary(encodeEnvelope(m));
  }

  async sendBinary(bytes: Uint8Array): Promise<void> {
    await this.sendRaw(frameBytes(OP.binary, bytes));
  }

  async sendText(text: string): Promise<void> {
    await this.sendRaw(frameBytes(OP.text, new TextEncoder().encode(text)));
  }

  /** Writes raw bytes on the socket, honouring back-pressure. */
  async sendRaw(data: Uint8Array): Promise<void> {
    await writeAll(this.socket, data, () => this.closed, this.signal);
  }

  /** The next message (decoded envelope), or an error if the socket closes first or time runs out. */
  async next(timeoutMs = 20_000): Promise<Message> {
    await this.until(() => this.inbox.length > 0 || this.closed, timeoutMs);
    const bytes = this.inbox.shift();
    if (!bytes) throw new Error(`closed before the next message (close ${this.closeCode} ${this.closeReason})`);
    return decodeEnvelope(bytes);
  }

  /** Resolves once the server has closed the connection; returns the messages that arrived before. */
  async untilClosed(timeoutMs = 20_000): Promise<Message[]> {
    await this.until(() => this.closed, timeoutMs);
    return this.inbox.splice(0).map((b) => decodeEnvelope(b));
  }

  /** Stops reading: the broker's sends to this client back up. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    this.socket.end();
  }

  /** Drops the TCP connection at once: no close frame, no FIN. */
  terminate(): void {
    this.socket.terminate();
  }
}

/** A client frame: FIN set, masked (RFC 6455 §5.3: every client frame is). */
export function frameBytes(opcode: number, payload: Uint8Array): Uint8Array {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const out = new Uint8Array(head + 4 + n);
  out[0] = 0x80 | opcode;
  if (n < 126) out[1] = 0x80 | n;
  else if (n < 65536) {
    out[1] = 0x80 | 126;
    out[2] = n >>> 8;
    out[3] = n & 0xff;
  } else {
    out[1] = 0x80 | 127;
    new DataView(out.buffer).setBigUint64(2, BigInt(n));
  }
  const mask = crypto.getRandomValues(new Uint8Array(4));
  out.set(mask, head);
  for (let i = 0; i < n; i++) out[head + 4 + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}

/** A server frame (unmasked) at `at`, or null when it has not all arrived. */
function parseFrame(b: Uint8Array, at: number): { fin: boolean; opcode: number; payload: Uint8Array; next: number } | null {
  if (b.length - at < 2) return null;
  let n = b[at + 1]! & 0x7f;
  let head = 2;
  if (n === 126) {
    if (b.length - at < 4) return null;
    n = (b[at + 2]! << 8) | b[at + 3]!;
    head = 4;
  } else if (n === 127) {
    if (b.length - at < 10) return null;
    n = Number(new DataView(b.buffer, b.byteOffset + at + 2, 8).getBigUint64(0));
    head = 10;
  }
  if (b.length - at < head + n) return null;
  return { fin: (b[at]! & 0x80) !== 0, opcode: b[at]! & 0x0f, payload: b.slice(at + head, at + head + n), next: at + head + n };
}
