// `bitbroker replay FILE --serve-bot N`: plays a recorded match's broker to one live bot: it sends
// the states bot N was sent, in order, and compares each of the live bot's replies with the
// recorded one (a regression test for a bot). Every difference is reported; exit 1 if any.
import { Opcode, end } from "../protocol/index.ts";
import type { ReplayHeader, ReplayRecord } from "./format.ts";
import { PeerListener, type PeerConn } from "./conn.ts";
import { handshake, type ServeOptions } from "./serve-game.ts";
import { difference, show, stepsOf } from "./script.ts";

/** Serves bot `index` of the record to one live bot; returns the exit status. */
export async function serveBot(header: ReplayHeader, records: readonly ReplayRecord[], index: number, o: ServeOptions): Promise<number> {
  const seat = header.seats[index];
  if (!seat) {
    o.print(`replay: the match has bots 0..${header.seats.length - 1}; there is no bot ${index}`);
    return 2;
  }
  const steps = stepsOf(records, index);
  const states = steps.filter((s) => s.kind === "send" && s.message.opcode === Opcode.move).length;
  const listener = new PeerListener(o.host, o.port);
  o.print(`replay: match ${header.matchId}: the ${states} states of bot ${index} (${JSON.stringify(seat.name)}): waiting for a live bot on ${o.host}:${listener.port}`);
  let c: PeerConn | null = null;
  try {
    let name = "";
    for (;;) {
      c = await listener.accept(o.connectTimeoutMs);
      if (c === null) {
        o.print(`replay: no bot connected within ${o.connectTimeoutMs} ms`);
        return 1;
      }
      const h = await handshake(c, "bot", o, header);
      if (typeof h !== "string") {
        name = h.name;
        break;
      }
      o.print(`replay: turned away ${c.peer}: ${h}`);
      c.send(end(`bad_handshake: bitbroker replay --serve-bot serves a bot: ${h}`));
      void c.close();
    }
    listener.stop();
    o.print(`replay: bot ${JSON.stringify(name)} connected from ${c.peer}${name === seat.name ? "" : ` (the recorded bot was named ${JSON.stringify(seat.name)})`}`);
    let same = 0;
    let differ = 0;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      if (step.kind === "send") {
        c.send(step.message);
        // A state the recorded bot never answered (the match ended first): nothing to compare.
        if (step.message.opcode === Opcode.move && steps[i + 1]?.kind !== "expect") o.print(`turn ${step.turn}: the recorded bot did not answer this state (the match ended)`);
        continue;
      }
      const live = await c.next(o.timeoutMs);
      if (live === null || live === "timeout") {
        const what = live === null ? `disconnected${c.error ? ` (${c.error})` : ""}` : `sent nothing within ${o.timeoutMs} ms`;
        o.print(`turn ${step.turn}: the live bot ${what}; the record has ${show(step.message)}`);
        differ++;
        break;
      }
      const problem = difference(step.message, live);
      if (problem === null) same++;
      else {
        differ++;
        o.print(`turn ${step.turn}: DIFFERENT: ${problem}`);
      }
    }
    o.print(`replay: bot ${index}: ${same + differ} replies compared, ${same} as recorded, ${differ} different`);
    return differ === 0 ? 0 : 1;
  } finally {
    listener.stop();
    await c?.close();
  }
}
