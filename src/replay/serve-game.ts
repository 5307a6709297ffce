// `bitbroker replay FILE --serve-game`: plays a recorded match's broker and bots to a live game.
// The game connects as to a broker; it gets the recorded batch, triggers and the bots' recorded
// replies as long as it acts as it did in the record, and is told where it departs from it.
import { Control, Opcode, decodeBotName, end, isCode, welcome } from "../protocol/index.ts";
import type { ReplayHeader, ReplayRecord } from "./format.ts";
import { PeerListener, type PeerConn } from "./conn.ts";
import { difference, show, stepsOf } from "./script.ts";

export interface ServeOptions {
  readonly host: string;
  readonly port: number;
  /** How long the live peer may take to send each message. */
  readonly timeoutMs: number;
  /** How long to wait for it to connect (0 = until interrupted). */
  readonly connectTimeoutMs: number;
  readonly version: string;
  readonly print: (line: string) => void;
}

/** A client's first line, checked: the hello this server wants, or why it is turned away. */
export async function handshake(c: PeerConn, role: "game" | "bot", o: ServeOptions, header: ReplayHeader): Promise<{ name: string } | string> {
  const hello = await c.next(o.timeoutMs);
  const want = role === "game" ? Control.gameHello : Control.botHello;
  if (hello === null || hello === "timeout") return `no hello ${hello === null ? "before it disconnected" : `within ${o.timeoutMs} ms`}`;
  if (!isCode(hello, Opcode.control, want)) return `its first line is ${show(hello)}, not a ${role} hello (00 0${want})`;
  let name = "";
  if (role === "bot") {
    const n = await c.next(o.timeoutMs);
    if (n === null || n === "timeout" || !isCode(n, Opcode.control, Control.botName)) return "no bot name (00 22) after its hello";
    try {
      name = decodeBotName(n.body);
    } catch (e) {
      return `its name does not decode: ${(e as Error).message}`;
    }
  }
  if (hello.body.length > 0) {
    c.send(welcome({ brokerVersion: `${o.version} (replay)`, features: [], room: header.room, queuePosition: 1, bots: header.seats.length }));
  }
  return { name };
}

/** Serves one live game; returns the exit status (0: it followed the record to its end). */
export async function serveGame(header: ReplayHeader, records: readonly ReplayRecord[], o: ServeOptions): Promise<number> {
  const listener = new PeerListener(o.host, o.port);
  o.print(`replay: match ${header.matchId} (room ${header.room}, ${header.seats.length} bots): waiting for a live game on ${o.host}:${listener.port}`);
  let c: PeerConn | null = null;
  try {
    for (;;) {
      c = await listener.accept(o.connectTimeoutMs);
      if (c === null) {
        o.print(`replay: no game connected within ${o.connectTimeoutMs} ms`);
        return 1;
      }
      const h = await handshake(c, "game", o, header);
      if (typeof h !== "string") break;
      o.print(`replay: turned away ${c.peer}: ${h}`);
      c.send(end(`bad_handshake: bitbroker replay --serve-game serves a game: ${h}`));
      void c.close();
    }
    listener.stop();
    o.print(`replay: game connected from ${c.peer}`);
    const steps = stepsOf(records, -1);
    for (const step of steps) {
      if (step.kind === "send") {
        c.send(step.message);
        continue;
      }
      const live = await c.next(o.timeoutMs);
      const problem =
        live === null
          ? `it disconnected${c.error ? ` (${c.error})` : ""}; the record has ${show(step.message)} next`
          : live === "timeout"
            ? `it sent nothing within ${o.timeoutMs} ms; the record has ${show(step.message)} next`
            : difference(step.message, live);
      if (problem !== null) {
        const where = `the live game departs from the record at turn ${step.turn}: ${problem}`;
        o.print(`replay: ${where}`);
        c.send(end(`replay_diverged: ${where}`));
        return 1;
      }
    }
    const endRecord = records.find((r) => r.kind === "end");
    const ending = endRecord?.kind === "end" ? (endRecord.info.code === "normal" ? "normally" : `with ${endRecord.info.code}`) : "where the record stops";
    const turns = steps.at(-1)?.turn ?? 0;
    o.print(`replay: the live game followed the record: ${turns} turns, the match ended ${ending} as recorded`);
    return 0;
  } finally {
    listener.stop();
    await c?.close();
  }
}
