// One cell of the framing bench (bench/framing.ts): a fresh broker, then a bot and a game of one
// language (bench/framing/peer.*) with v1 lines or v2 frames at one state size; the game's own
// timing, and the bytes the broker sent per turn (its sockets' counters, read with `ss` while the
// match is still on), which tell v1 from v2.
import { existsSync } from "node:fs";
import type { Procs } from "./procs.ts";
import { startOurs } from "./systems.ts";

export const LANGS = ["ts", "py", "rust"] as const;
export type Lang = (typeof LANGS)[number];

export interface Cell {
  readonly lang: Lang;
  readonly size: number;
  readonly framing: "v1" | "v2";
}

export interface Sample extends Cell {
  readonly round?: number;
  readonly turns: number;
  readonly seconds: number;
  readonly turnsPerS: number;
  readonly p50Us: number;
  readonly p99Us: number;
  /** Bytes the broker sent per turn (all turns of the match, warm-up included): ~state × 4/3 on v1. */
  readonly brokerBytesPerTurn: number;
}

export interface CellOptions {
  readonly seconds: number;
  readonly warmup: number;
  readonly compiled: boolean;
}

/** The command of a peer of `lang`, before its arguments. */
function peerCommand(root: string, lang: Lang): string[] {
  if (lang === "ts") return [process.execPath, `${root}/bench/framing/peer.ts`];
  if (lang === "py") {
    const python = process.env.PYTHON ?? `${root}/.venv/bin/python`;
    if (!existsSync(python)) throw new Error(`${python} is missing: python3 -m venv .venv && .venv/bin/pip install -e "./sdk/python[test]"`);
    return [python, `${root}/bench/framing/peer.py`];
  }
  const binary = `${root}/target/release/bitbroker-bench-framing`;
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run without --no-build`);
  return [binary];
}

/** Bytes sent so far on every established socket whose local port is `port` (the broker's side). */
async function sentBytes(port: string): Promise<number> {
  const p = Bun.spawn(["ss", "-tinH", "state", "established", `( sport = :${port} )`], { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(p.stdout).text();
  if ((await p.exited) !== 0) return NaN;
  return [...out.matchAll(/bytes_sent:(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** Runs one cell and returns what the game measured; throws if a peer fails. */
export async function runCell(procs: Procs, root: string, cell: Cell, o: CellOptions): Promise<Sample> {
  const paths = { root, peers: "", originalBroker: "", bun: process.execPath };
  const started = await startOurs(procs, paths, { bots: 1, compiled: o.compiled });
  const broker = started.broker!;
  const port = started.peerArgs[1]!.split(":")[1]!;
  const frames = cell.framing === "v2" ? "on" : "off";
  const command = peerCommand(root, cell.lang);
  const name = `${cell.lang} ${cell.size} B ${cell.framing}`;
  const bot = procs.spawn(`${name} bot`, [...command, "bot", port, String(cell.size), frames], { cwd: root });
  const game = procs.spawn(`${name} game`, [...command, "game", port, String(cell.size), frames, String(o.warmup), String(o.seconds), "20", "gate"], { cwd: root });
  try {
    const result = await game.waitJson((j) => typeof j.turnsPerS === "number", 120_000 + o.seconds * 1000);
    const sent = await sentBytes(port);
    game.send("end\n");
    for (const peer of [game, bot]) {
      const code = await Promise.race([peer.exited, Bun.sleep(30_000).then(() => "still running")]);
      if (code !== 0) throw new Error(`${peer.name} ended with ${code}: ${peer.stderr}`);
    }
    return {
      ...cell,
      turns: Number(result.turns),
      seconds: Number(result.seconds),
      turnsPerS: Number(result.turnsPerS),
      p50Us: Number(result.p50Us),
      p99Us: Number(result.p99Us),
      brokerBytesPerTurn: sent / Number(result.turnsTotal),
    };
  } finally {
    await procs.stop(bot);
    await procs.stop(game);
    await procs.stop(broker);
  }
}
