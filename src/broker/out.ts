// The commands of one broker step, in order (sends, closes, logs, events): what every part of
// the state machine writes to, and the driver carries out. One array and one pool of send and
// event commands, refilled step after step: a turn allocates no command. Pure.
import { Opcode, message, type Message } from "../protocol/index.ts";
import type { BrokerEvent } from "./events.ts";
import type { Command, ConnId, LogFields, LogLevel } from "./types.ts";

type SendCommand = { kind: "send"; conn: ConnId; message: Message };
type EventCommand = { kind: "event"; event: BrokerEvent };

const NO_MESSAGE = message(Opcode.control, 0);
const NO_EVENT: BrokerEvent = { type: "finished" };

export class Out {
  /** The step's commands; emptied when the next step begins (Broker.handle says so). */
  readonly commands: Command[] = [];
  /** The time of the event being handled. */
  nowMs = 0;
  private readonly sends: SendCommand[] = [];
  private sendsUsed = 0;
  private readonly events: EventCommand[] = [];
  private eventsUsed = 0;

  /** Starts a new step at `nowMs`, with no commands yet: the last step's are gone. */
  begin(nowMs: number): void {
    this.release();
    this.nowMs = nowMs;
  }

  /** Ends the step: its commands, valid until the next `begin` or `release`. */
  end(): Command[] {
    return this.commands;
  }

  /**
   * Empties the commands and lets go of what they held: a message's bytes may be a whole read of
   * Bun's (up to a 12 MiB line), which must not live on between steps and be promoted.
   */
  release(): void {
    for (let i = 0; i < this.sendsUsed; i++) this.sends[i]!.message = NO_MESSAGE;
    for (let i = 0; i < this.eventsUsed; i++) this.events[i]!.event = NO_EVENT;
    this.sendsUsed = 0;
    this.eventsUsed = 0;
    this.commands.length = 0;
  }

  send(conn: ConnId, message: Message): void {
    let c = this.sends[this.sendsUsed];
    if (c === undefined) this.sends.push((c = { kind: "send", conn, message }));
    c.conn = conn;
    c.message = message;
    this.sendsUsed++;
    this.commands.push(c);
  }

  close(conn: ConnId): void {
    this.commands.push({ kind: "close", conn });
  }

  admitted(conn: ConnId, framing: "lines" | "frames"): void {
    this.commands.push({ kind: "admitted", conn, framing });
  }

  event(event: BrokerEvent): void {
    let c = this.events[this.eventsUsed];
    if (c === undefined) this.events.push((c = { kind: "event", event }));
    c.event = event;
    this.eventsUsed++;
    this.commands.push(c);
  }

  log(level: LogLevel, event: string, fields: LogFields): void {
    this.commands.push({ kind: "log", level, event, fields });
  }

  finished(): void {
    this.event({ type: "finished" });
    this.commands.push({ kind: "finished" });
  }
}
