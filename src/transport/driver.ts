// The broker's driver, shared by every transport (TCP, WebSocket): numbers connections, feeds the
// pure broker its events, carries out its commands on whichever link each connection is, and keeps
// one timer at the broker's next deadline. Thin: every decision is the state machine's; it never
// decodes or encodes a byte (the links do, each in its own framing).
import type { Broker } from "../broker/broker.ts";
import type { BrokerEvent } from "../broker/events.ts";
import type { Command, ConnId, Event, Transport } from "../broker/types.ts";
import type { Logger } from "../log.ts";
import { ProtocolError, trigger, type Message } from "../protocol/index.ts";

/** One connection as the driver sees it, whatever carries it. */
export interface Link {
  /** Its connection id, from {@link Driver.nextConnId}. */
  readonly id: ConnId;
  /** Set once the broker closed it (or it went away or failed): later input is ignored. */
  done: boolean;
  /** Queues a message, in this link's framing; it goes out on the next `flush`. */
  push(message: Message): void;
  /** Writes what it can. False: the peer does not read and too much is held for it (slow consumer). */
  flush(): boolean;
  /** Closes once everything sent before is flushed (PROTOCOL.md §6); later input is ignored. */
  close(): void;
  /** The handshake is done: the full message limit, and v2 frames from now on if granted. */
  admitted(framing: "lines" | "frames"): void;
  /** Cuts it at once (a slow consumer); returns the bytes left unsent. */
  cut(): number;
}

const NO_MESSAGE = trigger();

export interface DriverOptions {
  /** Called once the broker says no more matches will be played. */
  readonly onFinished: () => void;
  /** Every domain event, in order, for the projections (records, metrics, dashboard, fleet). */
  readonly onEvent?: (event: BrokerEvent) => void;
}

export class Driver {
  private readonly links = new Map<ConnId, Link>();
  private nextId = 1;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAtMs: number | null = null;
  /** The links a step wrote to, reused from step to step. */
  private readonly touched: Link[] = [];
  /** Set while a step's commands are carried out: the broker refills them at its next step. */
  private applying = false;
  /** Events dispatched while a step's commands were carried out (a projection's): handled right after. */
  private readonly waiting: Event[] = [];
  /** The event of every message read, refilled each time: the broker reads it only while handling it. */
  private readonly receivedEvent: { kind: "received"; conn: ConnId; message: Message } = { kind: "received", conn: 0, message: NO_MESSAGE };

  constructor(
    private readonly broker: Broker,
    private readonly log: Logger,
    private readonly options: DriverOptions,
  ) {}

  /** Connections still open (closing ones included), over every transport. */
  get openCount(): number {
    return this.links.size;
  }

  /** The id of a new connection: never reused within the process, whatever its transport. */
  nextConnId(): ConnId {
    return this.nextId++;
  }

  /** A new connection, announced to the broker. */
  open(link: Link, peer: string, address: string, transport: Transport): void {
    this.links.set(link.id, link);
    this.dispatch({ kind: "opened", conn: link.id, peer, address, transport });
  }

  /** Feeds one event to the broker and carries out its commands. */
  dispatch(event: Event): void {
    if (this.applying) {
      this.waiting.push(event);
      return;
    }
    this.apply(this.broker.handle(event, performance.now()));
    this.schedule();
  }

  /**
   * Messages decoded from one read of `link`, in order, until the broker closes it. They are
   * handled, and their sends written, before this returns (a decoder's scratch is reused after);
   * nothing here keeps them afterwards, and the array is emptied.
   */
  received(link: Link, messages: Message[]): void {
    const now = performance.now();
    const event = this.receivedEvent;
    for (let i = 0; i < messages.length; i++) {
      if (link.done) break;
      event.conn = link.id;
      event.message = messages[i]!;
      this.apply(this.broker.handle(event, now));
    }
    // Nothing keeps this read's messages until the next one: their bytes (a read of Bun's, up to a
    // 12 MiB line) would live through a collection and be promoted to the old generation.
    event.message = NO_MESSAGE;
    messages.length = 0;
    this.schedule();
  }

  /**
   * Input of `link` that could not be decoded: a ProtocolError (anything else is a bug, thrown
   * again). Lines before the bad one were whole and valid, but once one is bad the stream is
   * unreliable: nothing more of it is read, and the broker closes it after saying why (00 FF +
   * reason, while the socket still takes it).
   */
  undecodable(link: Link, e: unknown): void {
    if (!(e instanceof ProtocolError)) throw e;
    link.done = true;
    this.dispatch({ kind: "failed", conn: link.id, error: e });
  }

  /** The peer went away (or its socket failed). Forgets the link first: nothing more is sent to it. */
  closed(conn: ConnId, cause: string | undefined): void {
    if (!this.links.delete(conn)) return;
    this.dispatch(cause ? { kind: "closed", conn, cause } : { kind: "closed", conn });
  }

  /** PROTOCOL.md §7: a peer that does not read is cut; it cannot be told why (it is not reading). */
  slow(conn: ConnId): void {
    const link = this.links.get(conn);
    if (!link) return;
    this.links.delete(conn);
    this.dispatch({ kind: "slow", conn, unsentBytes: link.cut() });
  }

  private apply(commands: Command[]): void {
    let closing: Link[] | null;
    this.applying = true;
    try {
      closing = this.carryOut(commands);
    } finally {
      this.applying = false;
      this.broker.release();
    }
    // Flushed before anything else is decoded: the lines may be views of a decoder's scratch.
    const touched = this.touched;
    let slow: Link[] | null = null;
    for (let i = 0; i < touched.length; i++) {
      const link = touched[i]!;
      if (!link.flush()) (slow ??= []).push(link);
    }
    touched.length = 0;
    // After the loop: cutting one dispatches a step of its own, which flushes with `touched` again.
    if (slow) for (const link of slow) this.slow(link.id);
    if (closing) for (const link of closing) link.close();
    for (let e = this.waiting.shift(); e !== undefined; e = this.waiting.shift()) this.dispatch(e);
  }

  /** The step's commands, in order; returns the links to close once its sends are flushed. */
  private carryOut(commands: Command[]): Link[] | null {
    let closing: Link[] | null = null;
    for (let i = 0; i < commands.length; i++) {
      const c = commands[i]!;
      switch (c.kind) {
        case "send": {
          const link = this.links.get(c.conn);
          if (!link) break;
          link.push(c.message);
          this.touched.push(link);
          break;
        }
        case "close": {
          // Closed after every command of the step, events included: nothing of a step is
          // written before its projections saw its events (a match's record before its 00 FF).
          const link = this.links.get(c.conn);
          if (link) (closing ??= []).push(link);
          break;
        }
        case "log":
          this.log.log(c.level, c.event, c.fields);
          break;
        case "event":
          this.options.onEvent?.(c.event);
          break;
        case "admitted":
          this.links.get(c.conn)?.admitted(c.framing);
          break;
        case "finished":
          queueMicrotask(this.options.onFinished);
          break;
      }
    }
    return closing;
  }

  /** One timer, at the broker's next deadline; an early fire is harmless (the tick does nothing). */
  private schedule(): void {
    const next = this.broker.nextDeadlineMs();
    if (next === null || (this.timerAtMs !== null && this.timerAtMs <= next)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAtMs = next;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAtMs = null;
      this.dispatch({ kind: "tick" });
    }, Math.max(0, next - performance.now()));
  }
}
