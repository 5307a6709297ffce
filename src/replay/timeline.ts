// `bitbroker replay FILE`: a recorded match as a readable timeline, one line per message (time,
// turn, who to whom, codes, size, think time, the body as text when it is UTF-8, else hex, cut to
// a width). Pure: records in, lines out; the CLI reads the file and prints.
import { Control, Opcode, decodeBatch, decodeResult, decodeWelcome, hex } from "../protocol/index.ts";
import type { ReplayEnd, ReplayHeader, ReplayMessage } from "./format.ts";

const strict = new TextDecoder("utf-8", { fatal: true });

/** The body as text if it is UTF-8 without control characters (\n, \t and \r escaped), else hex. */
export function bodyText(body: Uint8Array): string {
  if (body.length === 0) return "";
  try {
    const text = strict.decode(body);
    if (!/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text)) return JSON.stringify(text).slice(1, -1).replaceAll('\\"', '"');
  } catch {
    // not UTF-8: hex below
  }
  return `0x${body.toHex()}`;
}

/** Cuts `s` to `width` characters, marking the cut. */
export function cut(s: string, width: number): string {
  return s.length <= width ? s : `${s.slice(0, Math.max(0, width - 1))}…`;
}

const ms = (us: number): string => `${(us / 1000).toFixed(3)} ms`;

/** Follows a match record by record, keeping the turn and when each bot was asked. */
export class Timeline {
  turn = 0;
  private readonly askedAtUs = new Map<number, number>();
  /** Characters of the "from → to" column: the longest party's, within bounds. */
  private readonly routeWidth: number;

  constructor(
    private readonly header: ReplayHeader,
    /** Characters of body text per line. */
    private readonly width: number,
  ) {
    const longest = Math.max(4, ...header.seats.map((_, i) => this.party(i).length));
    this.routeWidth = Math.min(48, longest + 9);
  }

  /** The lines before the first record. */
  intro(): string[] {
    const h = this.header;
    const who = (c: { peer: string; client: string; clientVersion: string }) => `${c.peer}${c.client ? ` (${c.client} ${c.clientVersion})`.trimEnd() : ""}`;
    return [
      `match ${h.matchId}  room ${h.room}  broker ${h.brokerVersion}  instance ${h.instanceId}`,
      `started ${h.startedAt}; game ${who(h.game)}`,
      ...h.seats.map((s) => `  bot ${s.index} ${JSON.stringify(s.name)} ${who(s)}`),
      "",
      `${"time".padStart(13)}  ${"turn".padStart(5)}  ${"from → to".padEnd(this.routeWidth)} codes  ${"bytes".padStart(8)}  ${"think".padStart(11)}  body`,
    ];
  }

  party(p: number): string {
    if (p === -1) return "game";
    const name = this.header.seats[p]?.name;
    return name === undefined ? `bot ${p}` : `bot ${p} ${JSON.stringify(name)}`;
  }

  /** One message's line. */
  line(m: ReplayMessage): string {
    if (m.dir === "in" && m.party === -1 && m.opcode === Opcode.trigger) this.turn++;
    let think = "";
    if (m.dir === "out" && m.party >= 0 && m.opcode === Opcode.move) this.askedAtUs.set(m.party, m.atUs);
    if (m.dir === "in" && m.party >= 0 && m.opcode === Opcode.move) {
      const asked = this.askedAtUs.get(m.party);
      if (asked !== undefined) think = ms(m.atUs - asked);
    }
    const route = m.dir === "in" ? `${this.party(m.party)} → broker` : `broker → ${this.party(m.party)}`;
    const codes = `${hex(m.opcode)} ${hex(m.operand)}`;
    return `${`+${ms(m.atUs)}`.padStart(13)}  ${String(this.turn).padStart(5)}  ${cut(route, this.routeWidth).padEnd(this.routeWidth)} ${codes}  ${String(m.body.length).padStart(8)}  ${think.padStart(11)}  ${cut(this.describe(m), this.width)}`;
  }

  /** The closing lines. */
  end(e: ReplayEnd): string[] {
    const i = e.info;
    const how = i.code === "normal" ? "normally" : `with ${i.code}: ${i.reason}`;
    const lines = [``, `ended ${how} at +${ms(e.atUs)} (${i.endedAt}) after ${i.turns} turns, ${i.bytesRelayed} bytes relayed`];
    if (i.result !== null && i.result !== undefined) lines.push(`result: ${JSON.stringify(i.result)}`);
    return lines;
  }

  /** What a message says, in words where the protocol gives it a meaning. */
  private describe(m: ReplayMessage): string {
    const fromGame = m.dir === "in" && m.party === -1;
    try {
      if (m.opcode === Opcode.control) {
        switch (m.operand) {
          case Control.batch:
            return `batch: ${decodeBatch(m.body).map((b) => `${b.index} ${JSON.stringify(b.name)}`).join(", ")}`;
          case Control.welcome:
            return `welcome: ${JSON.stringify(decodeWelcome(m.body))}`;
          case Control.result:
            return `result: ${JSON.stringify(decodeResult(m.body, 256))}`;
          case Control.endGame:
            return m.body.length === 0 ? "end the match" : `end the match, result: ${JSON.stringify(decodeResult(m.body, 256))}`;
          case Control.end:
            return m.body.length === 0 ? "end of match" : `end of match: ${bodyText(m.body)}`;
        }
      }
      if (m.opcode === Opcode.trigger && !fromGame) return "trigger";
      if (m.opcode === Opcode.trigger) return `ask bot ${m.operand}: ${bodyText(m.body)}`;
    } catch {
      // a body that does not decode as its code says: shown as bytes
    }
    return bodyText(m.body);
  }
}
