// The only code that touches Bun.listen sockets: bytes → line (or, once granted, frame) decoder →
// broker events through the driver, and the broker's commands → outboxes. Thin: every decision is
// the state machine's.
import type { Socket, TCPSocketListener } from "bun";
import type { Broker } from "../broker/broker.ts";
import type { BrokerEvent } from "../broker/events.ts";
import type { ConnId, Event } from "../broker/types.ts";
import { FrameDecoder, LineDecoder, envelopeBytesMax, frameBytes, lineBytes, type Message } from "../protocol/index.ts";
import { Scratch } from "../protocol/scratch.ts";
import type { Logger } from "../log.ts";
import { Driver, type Link } from "./driver.ts";
import { Outbox } from "./outbox.ts";
import type { TlsFiles } from "./tls.ts";

export interface TcpOptions {
  readonly host: string;
  readonly port: number;
  readonly lineBytesMax: number;
  /** Called once the broker says no more matches will be played. */
  readonly onFinished: () => void;
  /** Every domain event, in order, for the projections (records, metrics, dashboard, fleet). */
  readonly onEvent?: (event: BrokerEvent) => void;
  /** BROKER_TLS_CERT/KEY: the port speaks TLS (README "TLS"); absent = plain. */
  readonly tls?: TlsFiles | null;
  /** BROKER_PLAIN_PORT: a plain port beside the TLS one, feeding the same broker; absent = none. */
  readonly plain?: { readonly host: string; readonly port: number } | null;
}

/** A closing socket whose peer does not read its last lines is cut after this long. */
export const LINGER_MS = 2000;

/**
 * The longest line of a connection still in its handshake (hello, Hello, name): a few KiB, so a
 * stranger cannot make the broker hold a 16 MiB line for the whole hello deadline (README
 * "Limits"). Raised to BROKER_LINE_BYTES_MAX once the broker admits it.
 */
export const HANDSHAKE_LINE_BYTES_MAX = 4096;

/** One TCP connection: its decoder, its framing, its outbox. */
class TcpLink implements Link {
  /** v1 lines, until the broker admits a client granted v2 frames (PROTOCOL.md §11). */
  decoder: LineDecoder | FrameDecoder;
  /** The bytes of a message as this connection speaks them. */
  private encode: (m: Message) => Uint8Array = lineBytes;
  private readonly outbox: Outbox;
  /** Set once the broker closed it (or it went away): later input is ignored. */
  done = false;
  /** Set once the driver forgot it: the linger timer leaves it alone. */
  gone = false;

  constructor(
    readonly id: ConnId,
    private readonly socket: Socket<TcpLink>,
    private readonly transport: TcpTransport,
    private readonly lineBytesMax: number,
    private readonly scratch: Scratch,
  ) {
    this.decoder = new LineDecoder(Math.min(HANDSHAKE_LINE_BYTES_MAX, lineBytesMax), scratch);
    // Unsent bytes beyond two full lines mean the peer is not reading.
    this.outbox = new Outbox(socket, 2 * lineBytesMax);
  }

  push(m: Message): void {
    this.outbox.push(this.encode(m));
  }

  flush(): boolean {
    return this.outbox.flush();
  }

  close(): void {
    this.done = true;
    // Sends queued just before this close go out first (PROTOCOL.md §6).
    this.outbox.closeWhenFlushed();
    setTimeout(() => {
      if (!this.gone) this.socket.terminate();
    }, LINGER_MS).unref();
  }

  cut(): number {
    this.done = true;
    this.gone = true;
    const unsent = this.outbox.unsentBytes;
    this.socket.terminate();
    return unsent;
  }

  /** The handshake is done: the full line limit, and v2 frames from now on if granted. */
  admitted(framing: "lines" | "frames"): void {
    if (!(this.decoder instanceof LineDecoder)) return;
    if (framing === "lines") return this.decoder.setLineBytesMax(this.lineBytesMax);
    // Bytes already held after the last handshake line were sent after it, so as frames (a client
    // should wait for its Welcome first; one that did not is read as it meant, or refused).
    const held = this.decoder.takePending();
    this.decoder = new FrameDecoder(envelopeBytesMax(this.lineBytesMax), this.scratch);
    this.encode = frameBytes;
    if (held.length === 0) return;
    const chunk = new Uint8Array(held.reduce((n, p) => n + p.length, 0));
    held.reduce((at, p) => (chunk.set(p, at), at + p.length), 0);
    queueMicrotask(() => this.transport.data(this, chunk));
  }
}

export class TcpTransport {
  /** Shared with the other transports (WebSocket): connection ids, the broker's timer, its commands. */
  readonly driver: Driver;
  /**
   * Every link's joined lines and decoded envelopes: the driver handles a read's messages (their
   * sends written, what a socket does not take copied by its outbox) before the next is decoded.
   */
  private readonly scratch = new Scratch();
  private readonly listener: TCPSocketListener<TcpLink>;
  private readonly plainListener: TCPSocketListener<TcpLink> | null;

  constructor(
    broker: Broker,
    private readonly log: Logger,
    private readonly options: TcpOptions,
  ) {
    this.driver = new Driver(broker, log, options);
    this.listener = this.listen(options.host, options.port, options.tls ?? null);
    this.plainListener = options.plain ? this.listenPlain(options.plain.host, options.plain.port) : null;
  }

  /** The plain port beside TLS; an error to listen says it was this one (main names the setting). */
  private listenPlain(host: string, port: number): TCPSocketListener<TcpLink> {
    try {
      return this.listen(host, port, null);
    } catch (e) {
      this.listener.stop(true);
      throw Object.assign(e as Error, { listener: "plain" });
    }
  }

  /** One listener; TLS and plain ones feed the same driver through the same handlers. */
  private listen(hostname: string, port: number, tls: TlsFiles | null): TCPSocketListener<TcpLink> {
    const self = this;
    return Bun.listen<TcpLink>({
      hostname,
      port,
      ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
      socket: {
        open(socket) {
          socket.setNoDelay(true);
          const link = new TcpLink(self.driver.nextConnId(), socket, self, self.options.lineBytesMax, self.scratch);
          socket.data = link;
          self.driver.open(link, `${socket.remoteAddress}:${socket.remotePort}`, socket.remoteAddress, "tcp");
        },
        data(socket, chunk) {
          self.data(socket.data, chunk);
        },
        drain(socket) {
          if (!socket.data.gone && !socket.data.flush()) self.driver.slow(socket.data.id);
        },
        close(socket, error) {
          self.closed(socket.data, error?.message);
        },
        error(socket, error) {
          self.closed(socket.data, error.message);
        },
        // With this handler, `open` comes at accept, so the hello deadline covers the TLS
        // handshake too. A failed one (a plain client, a client that does not trust us) is logged;
        // the socket then closes, and the broker hears of it as any other close.
        handshake(socket, success, error) {
          if (!success && socket.data) {
            self.log.log("warn", "tls handshake failed", { conn: socket.data.id, peer: `${socket.remoteAddress}:${socket.remotePort}`, error: error?.message ?? "" });
          }
        },
      },
    });
  }

  get port(): number {
    return this.listener.port;
  }

  /** The plain port beside TLS (BROKER_PLAIN_PORT), or null. */
  get plainPort(): number | null {
    return this.plainListener?.port ?? null;
  }

  /** Stops accepting; open connections are left to the broker's commands. */
  stopListening(): void {
    this.listener.stop(false);
    this.plainListener?.stop(false);
  }

  /** Connections still open (closing ones included), over every transport. */
  get openCount(): number {
    return this.driver.openCount;
  }

  /** Feeds one event to the broker and carries out its commands. */
  dispatch(event: Event): void {
    this.driver.dispatch(event);
  }

  data(link: TcpLink, chunk: Uint8Array): void {
    if (link.done) return;
    let messages;
    try {
      messages = link.decoder.push(chunk);
    } catch (e) {
      return this.driver.undecodable(link, e);
    }
    this.driver.received(link, messages);
  }

  private closed(link: TcpLink | undefined, cause: string | undefined): void {
    if (!link || link.gone) return;
    link.gone = true;
    link.done = true;
    this.driver.closed(link.id, cause);
  }
}
