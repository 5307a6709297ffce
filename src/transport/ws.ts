// The WebSocket transport (PROTOCOL.md §12): games and bots on the HTTP port at `/ws`, one
// envelope per binary message, through Bun.serve's own WebSocket support. It upgrades requests,
// feeds the shared driver the same events as TCP, and carries out the broker's commands with Bun's
// send buffer as the outbox, capped as TCP's is. Thin: every decision is the state machine's.
import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import type { ConnId } from "../broker/types.ts";
import { EnvelopeDecoder, ProtocolError, envelopeBytes, envelopeBytesMax, type Message } from "../protocol/index.ts";
import type { Logger } from "../log.ts";
import type { Driver, Link } from "./driver.ts";
import { HANDSHAKE_LINE_BYTES_MAX, LINGER_MS } from "./tcp.ts";

/** The path games and bots upgrade on. */
export const WS_PATH = "/ws";

/** What Bun keeps on each WebSocket: where it came from, and its link once open. */
export interface WsData {
  readonly peer: string;
  readonly address: string;
  link: WsLink | null;
  /** Open and not yet through its handshake: counted in the transport's handshake budget. */
  handshaking: boolean;
}

export type WsSocket = ServerWebSocket<WsData>;

/** WebSocket readyState OPEN: sends to a closing or closed socket are its close handler's to report. */
const OPEN = 1;

/**
 * Bun (uWebSockets) sends the peer close 1009 for a message over maxPayloadLength, but reports it
 * to the server's close handler as 1006 with this reason (Bun 1.4.5; test/e2e/ws.test.ts pins it).
 */
const tooBig = (code: number, reason: string): boolean => code === 1009 || (code === 1006 && reason === "Received too big message");

/**
 * WebSockets open and not yet through their handshake, in all and per address. Bun holds a
 * message whole before the broker sees it (up to maxPayloadLength), so these caps bound the memory
 * strangers can make it hold (README "Limits"); past them an upgrade is answered 503, retry later.
 */
class Handshakes {
  total = 0;
  private readonly byAddress = new Map<string, number>();

  constructor(
    readonly max: number,
    readonly perAddressMax: number,
  ) {}

  /** Why a new WebSocket from `address` must wait, or null. */
  full(address: string): string | null {
    if (this.total >= this.max) return `${this.total} WebSockets are in their handshake (BROKER_WS_HANDSHAKES_MAX ${this.max})`;
    const mine = this.byAddress.get(address) ?? 0;
    if (mine >= this.perAddressMax) return `${mine} WebSockets from ${address} are in their handshake (BROKER_WS_HANDSHAKES_PER_ADDRESS_MAX ${this.perAddressMax})`;
    return null;
  }

  add(address: string): void {
    this.total++;
    this.byAddress.set(address, (this.byAddress.get(address) ?? 0) + 1);
  }

  remove(address: string): void {
    this.total--;
    const left = (this.byAddress.get(address) ?? 1) - 1;
    if (left > 0) this.byAddress.set(address, left);
    else this.byAddress.delete(address);
  }
}

/** One WebSocket: its decoder, and Bun's send buffer (which keeps whatever the kernel does not take). */
class WsLink implements Link {
  readonly decoder = new EnvelopeDecoder(HANDSHAKE_LINE_BYTES_MAX);
  /** Envelopes added since the last flush: sent together, corked into as few writes as Bun can. */
  private pending: Uint8Array[] = [];
  done = false;
  /** Set once the driver forgot it: the linger timer and the close handler leave it alone. */
  gone = false;
  /** The broker closed it: the close frame goes once Bun's buffer is empty (at once, or on drain). */
  closing = false;

  constructor(
    readonly id: ConnId,
    private readonly ws: WsSocket,
    private readonly capBytes: number,
    private readonly envelopeBytesMax: number,
    private readonly handshakeDone: (ws: WsSocket) => void,
  ) {}

  push(m: Message): void {
    if (this.closing) return;
    // The envelope as it came (a WebSocket message, a decoded line, a v2 frame's view): no copy.
    this.pending.push(envelopeBytes(m));
  }

  /** Sends what was pushed. False when the peer does not read: more than `capBytes` wait in Bun's buffer. */
  flush(): boolean {
    if (this.ws.readyState !== OPEN) {
      this.pending = [];
      return true;
    }
    let dropped = false;
    const pending = this.pending;
    this.pending = [];
    const send = (): void => {
      for (const bytes of pending) {
        // 0: Bun dropped it (its buffer is past backpressureLimit): that peer is not reading.
        if (this.ws.sendBinary(bytes) === 0) dropped = true;
      }
    };
    if (pending.length > 1) this.ws.cork(send);
    else if (pending.length === 1) send();
    return !dropped && this.ws.getBufferedAmount() <= this.capBytes;
  }

  close(): void {
    this.done = true;
    if (this.closing) return;
    this.closing = true;
    // Sends queued just before this close go out first (PROTOCOL.md §6).
    this.flush();
    // Not now: Bun runs the close handler inside ws.close(), and the driver is still applying commands.
    queueMicrotask(() => this.endIfFlushed());
    setTimeout(() => {
      if (!this.gone) this.ws.terminate();
    }, LINGER_MS).unref();
  }

  /** The close frame, once everything before it has left Bun's buffer. */
  endIfFlushed(): void {
    if (!this.closing || this.gone || this.ws.readyState !== OPEN || this.ws.getBufferedAmount() > 0) return;
    this.ws.close(1000, "");
  }

  cut(): number {
    this.done = true;
    this.gone = true;
    const unsent = this.ws.getBufferedAmount();
    this.ws.terminate();
    return unsent;
  }

  admitted(): void {
    // PROTOCOL.md §12: the message limit lifts to v2's (¾ of BROKER_LINE_BYTES_MAX); a WebSocket
    // is never granted frames (it frames every message itself), so nothing else changes.
    this.decoder.setEnvelopeBytesMax(this.envelopeBytesMax);
    this.handshakeDone(this.ws);
  }
}

export interface WsOptions {
  readonly lineBytesMax: number;
  /** WebSockets in their handshake at once, in all and from one address (README "Limits"). */
  readonly handshakesMax: number;
  readonly handshakesPerAddressMax: number;
  /** Where a refused upgrade is told (at most one line a second). */
  readonly log: Logger;
}

export class WsTransport {
  /** Bun.serve's `websocket` option. */
  readonly handler: WebSocketHandler<WsData>;
  private readonly envelopeBytesMax: number;
  private readonly capBytes: number;
  private readonly handshakes: Handshakes;
  private readonly log: Logger;
  /** Upgrades refused since the last log line, and when that line was. */
  private refused = { count: 0, loggedAtMs: -Infinity };

  constructor(
    private readonly driver: Driver,
    options: WsOptions,
  ) {
    this.handshakes = new Handshakes(options.handshakesMax, options.handshakesPerAddressMax);
    this.log = options.log;
    this.envelopeBytesMax = envelopeBytesMax(options.lineBytesMax);
    // Unsent bytes beyond two full lines mean the peer is not reading, as on TCP.
    this.capBytes = 2 * options.lineBytesMax;
    const self = this;
    this.handler = {
      // Bun closes a connection whose message is larger than this (the close handler says why).
      maxPayloadLength: this.envelopeBytesMax,
      // Past it Bun drops a send (and says so): flush then reports a slow consumer, cut by the driver.
      backpressureLimit: this.capBytes,
      closeOnBackpressureLimit: false,
      perMessageDeflate: false,
      // A quiet WebSocket is pinged; one that answers nothing for this long is a dead peer, closed.
      idleTimeout: 120,
      sendPings: true,
      open(ws) {
        self.opened(ws);
      },
      message(ws, message) {
        self.message(ws, message);
      },
      drain(ws) {
        ws.data.link?.endIfFlushed();
      },
      close(ws, code, reason) {
        self.closed(ws, code, reason);
      },
    };
  }

  /**
   * Answers a request for `/ws`: upgrades it (undefined: Bun now owns the connection), or says why
   * not. Anyone may upgrade; players present their tokens in their Hello, as on TCP (PROTOCOL.md §9.6).
   */
  upgrade(request: Request, server: Server<WsData>): Response | undefined {
    if (request.method !== "GET") {
      return Response.json({ error: "method not allowed", why: `${WS_PATH} takes a WebSocket upgrade (GET)` }, { status: 405, headers: { allow: "GET" } });
    }
    if ((request.headers.get("upgrade") ?? "").toLowerCase() !== "websocket") {
      return Response.json(
        { error: "upgrade required", why: `${WS_PATH} speaks WebSocket: one envelope per binary message (PROTOCOL.md §12)` },
        { status: 426, headers: { upgrade: "websocket" } },
      );
    }
    const ip = server.requestIP(request);
    const data: WsData = { peer: ip ? `${ip.address}:${ip.port}` : "unknown", address: ip?.address ?? "unknown", link: null, handshaking: false };
    const full = this.handshakes.full(data.address);
    if (full !== null) return this.busy(data.peer, full);
    if (server.upgrade(request, { data })) return undefined;
    return Response.json({ error: "bad request", why: "not a valid WebSocket upgrade" }, { status: 400 });
  }

  /** 503 for an upgrade past the handshake caps: clients retry (the SDKs and /play do). */
  private busy(peer: string, why: string): Response {
    this.refused.count++;
    const nowMs = performance.now();
    if (nowMs - this.refused.loggedAtMs >= 1000) {
      this.log.log("warn", "websocket upgrade refused", { peer, reason: why, refusedSinceLastLine: this.refused.count });
      this.refused = { count: 0, loggedAtMs: nowMs };
    }
    return Response.json({ error: "busy", why: `${why}: retry in a moment` }, { status: 503, headers: { "retry-after": "1" } });
  }

  private handshakeDone(ws: WsSocket): void {
    if (!ws.data.handshaking) return;
    ws.data.handshaking = false;
    this.handshakes.remove(ws.data.address);
  }

  private opened(ws: WsSocket): void {
    // Bodies are plain Uint8Arrays, as on TCP; each message is its own buffer, never reused by Bun.
    ws.binaryType = "uint8array";
    // Counted from open to the handshake's end or the close (both always come; an upgrade may not open).
    ws.data.handshaking = true;
    this.handshakes.add(ws.data.address);
    const link = new WsLink(this.driver.nextConnId(), ws, this.capBytes, this.envelopeBytesMax, (w) => this.handshakeDone(w));
    ws.data.link = link;
    this.driver.open(link, ws.data.peer, ws.data.address, "ws");
  }

  private message(ws: WsSocket, message: string | Uint8Array): void {
    const link = ws.data.link;
    if (!link || link.done) return;
    let messages;
    try {
      messages = typeof message === "string" ? link.decoder.text(message.length) : link.decoder.push(message);
    } catch (e) {
      return this.driver.undecodable(link, e);
    }
    this.driver.received(link, messages);
  }

  private closed(ws: WsSocket, code: number, reason: string): void {
    this.handshakeDone(ws);
    const link = ws.data.link;
    if (!link || link.gone) return;
    const done = link.done;
    link.done = true;
    // Bun closed it for a message over maxPayloadLength, before the broker could see it: that is
    // an oversize message (the match's *_misbehaved), not a departure, and it cannot be told.
    if (!done && tooBig(code, reason)) {
      const error = new ProtocolError("line_too_long", `a message over ${this.envelopeBytesMax} bytes`);
      this.driver.dispatch({ kind: "failed", conn: link.id, error });
    }
    link.gone = true;
    this.driver.closed(link.id, code === 1000 || code === 1005 ? undefined : `websocket close ${code}${reason ? ` ${reason}` : ""}`);
  }
}
