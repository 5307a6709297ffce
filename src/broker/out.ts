// The commands of one broker step, in order (sends, closes, logs, events): what every part of
// the state machine writes to, and the driver carries out. Pure.
import type { Message } from "../protocol/index.ts";
import type { BrokerEvent } from "./events.ts";
import type { Command, ConnId, LogFields, LogLevel } from "./types.ts";

const NONE: Command[] = [];

export class Out {
  commands: Command[] = NONE;
  /** The time of the event being handled. */
  nowMs = 0;

  /** Starts a new step at `nowMs`, with no commands yet. */
  begin(nowMs: number): void {
    this.commands = [];
    this.nowMs = nowMs;
  }

  /**
   * Ends the step: its commands, which Out no longer holds (they hold the step's messages, whose
   * bytes the transport may reuse: between steps nothing of them stays reachable from here).
   */
  end(): Command[] {
    const commands = this.commands;
    this.commands = NONE;
    return commands;
  }

  send(conn: ConnId, message: Message): void {
    this.commands.push({ kind: "send", conn, message });
  }

  close(conn: ConnId): void {
    this.commands.push({ kind: "close", conn });
  }

  admitted(conn: ConnId, framing: "lines" | "frames"): void {
    this.commands.push({ kind: "admitted", conn, framing });
  }

  event(event: BrokerEvent): void {
    this.commands.push({ kind: "event", event });
  }

  log(level: LogLevel, event: string, fields: LogFields): void {
    this.commands.push({ kind: "log", level, event, fields });
  }

  finished(): void {
    this.event({ type: "finished" });
    this.commands.push({ kind: "finished" });
  }
}
