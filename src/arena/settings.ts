// The arena's settings put together: the file's (config.ts reads it) under the flags, checked
// as one, every problem at once. Pure.
import { parseArenaFile, SPRT_MATCHES_MAX, type ArenaConfig, type BotSpec, type ClientSpec, type Flags } from "./config.ts";
import { parseDbTarget } from "../store/target.ts";
import { SCHEDULE_KINDS, type ScheduleKind } from "./schedule.ts";
import { parseSprt, type SprtSpec } from "./sprt.ts";

export { SPRT_MATCHES_MAX };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;
const LEVELS = ["debug", "info", "warn", "error"] as const;

export interface Defaults {
  /** --parallel when not given: the number of cores. */
  readonly parallel: number;
}

/** Flags over the file (`fileText` when --config was given), checked. */
export function resolveConfig(flags: Flags, fileText: string | null, defaults: Defaults): { config: ArenaConfig } | { errors: string[] } {
  const errors: string[] = [];
  const file = flags.config !== null && fileText !== null ? parseArenaFile(fileText, flags.config, errors) : { game: null, bots: [], values: {} };
  const raw = (key: string): unknown => flags.values[key] ?? (file.values as Record<string, unknown>)[key];
  const fromFlag = (key: string) => flags.values[key] !== undefined;
  const where = (key: string) => (fromFlag(key) ? `--${key.replaceAll("_", "-")}` : `${flags.config}: ${key}`);

  const int = (key: string, min: number, max: number, fallback: number): number => {
    const v = raw(key);
    if (v === undefined) return fallback;
    const n = typeof v === "string" && /^\s*\d+\s*$/.test(v) ? Number(v) : typeof v === "number" ? v : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      errors.push(`${where(key)} must be a whole number from ${min} to ${max}; got ${JSON.stringify(v)}`);
      return fallback;
    }
    return n;
  };
  const str = (key: string): string | null => {
    const v = raw(key);
    if (v === undefined) return null;
    if (typeof v !== "string" || v.trim() === "") {
      errors.push(`${where(key)} must be a non-empty string; got ${JSON.stringify(v)}`);
      return null;
    }
    return v;
  };

  // The game and the bots: the flags' --game replaces the file's; --bot adds to the file's bots.
  let game: ClientSpec | null = file.game;
  if (flags.game !== null) game = { command: flags.game, relay: false };
  if (game === null) errors.push("no game: give --game COMMAND or a [game] table with its command");
  const bots: BotSpec[] = [...file.bots];
  for (const b of flags.bots) {
    const eq = b.indexOf("=");
    if (eq <= 0 || b.slice(eq + 1).trim() === "") errors.push(`--bot takes NAME=COMMAND; got ${JSON.stringify(b)}`);
    else bots.push({ name: b.slice(0, eq), command: b.slice(eq + 1), relay: false });
  }
  const seen = new Set<string>();
  for (const b of bots) {
    if (!NAME.test(b.name)) errors.push(`bot name ${JSON.stringify(b.name)}: 1-40 characters of A-Z a-z 0-9 . _ -, starting with a letter or digit`);
    if (seen.has(b.name)) errors.push(`two bots are named ${JSON.stringify(b.name)}: names tell bots apart in the table`);
    seen.add(b.name);
  }
  for (const r of flags.relay) {
    const i = r === "game" ? -1 : bots.findIndex((b) => b.name === r);
    if (r === "game" && game) game = { ...game, relay: true };
    else if (i < 0) errors.push(`--relay ${r}: no bot of that name (or "game")`);
    else bots[i] = { ...bots[i]!, relay: true };
  }

  const kindText = raw("schedule") ?? "round-robin";
  const kind = SCHEDULE_KINDS.includes(kindText as ScheduleKind) ? (kindText as ScheduleKind) : null;
  if (kind === null) errors.push(`${where("schedule")} must be one of ${SCHEDULE_KINDS.join(", ")}; got ${JSON.stringify(kindText)}`);
  const seats = int("seats", 1, 255, 2);
  if (kind !== null && kind !== "ffa" && seats !== 2) errors.push(`a ${kind} is for 2-seat games; for ${seats} seats use --schedule ffa`);
  const botsNeeded = kind === "ffa" ? Math.max(seats, 2) : 2;
  if (bots.length < botsNeeded) errors.push(`a ${kind ?? "tournament"} needs at least ${botsNeeded} bots; ${bots.length} given (--bot NAME=COMMAND or [[bot]] tables)`);
  let gauntlet = 0;
  const gauntletName = str("gauntlet");
  if (gauntletName !== null) {
    gauntlet = bots.findIndex((b) => b.name === gauntletName);
    if (kind !== "gauntlet") errors.push(`${where("gauntlet")} is for --schedule gauntlet`);
    if (gauntlet < 0) errors.push(`${where("gauntlet")}: no bot is named ${JSON.stringify(gauntletName)}`);
    gauntlet = Math.max(gauntlet, 0);
  }

  let sprt: SprtSpec | null = null;
  const sprtRaw = raw("sprt");
  if (sprtRaw !== undefined) {
    const text = typeof sprtRaw === "string" ? sprtRaw : isSprtTable(sprtRaw) ? [sprtRaw.elo0, sprtRaw.elo1, sprtRaw.alpha, sprtRaw.beta].join(",") : null;
    const parsed = text === null ? { errors: [`${where("sprt")} must be "elo0,elo1,alpha,beta" or a table { elo0, elo1, alpha, beta }`] } : parseSprt(text, where("sprt"));
    if ("errors" in parsed) errors.push(...parsed.errors);
    else sprt = parsed.spec;
    if (bots.length !== 2 || kind !== "round-robin") errors.push(`${where("sprt")}: an SPRT tests one bot against another: a round-robin of exactly 2 bots (the first is A, the second B)`);
  }

  const matchesText = raw("matches");
  const matches = matchesText === undefined ? null : int("matches", 1, 10_000_000, 1);
  let broker: ArenaConfig["broker"] = null;
  const brokerText = str("broker");
  if (brokerText !== null) {
    const m = /^(.+):(\d{1,5})$/.exec(brokerText.trim());
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) errors.push(`${where("broker")} must be HOST:PORT; got ${JSON.stringify(brokerText)}`);
    else {
      const host = m[1]!.replace(/^\[(.*)\]$/, "$1");
      const http = str("broker_http") ?? `http://${host.includes(":") ? `[${host}]` : host}:8080`;
      if (!/^https?:\/\/[^/\s]+$/.test(http)) errors.push(`${where("broker_http")} must be the broker's health port as http://HOST:PORT; got ${JSON.stringify(http)}`);
      broker = { host, port: Number(m[2]), http };
    }
  } else if (raw("broker_http") !== undefined) {
    errors.push(`${where("broker_http")} goes with --broker`);
  }
  const db = str("db");
  if (db !== null) {
    const target = parseDbTarget(db);
    if ("problem" in target) errors.push(`${where("db")} ${target.problem}`);
    else if (target.kind === "sqlite" && target.path === ":memory:") errors.push(`${where("db")}: a database in memory forgets what was played: give a file, a postgres:// URL, or off`);
  }
  const name = str("name");
  if (name !== null && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/.test(name)) errors.push(`${where("name")}: 1-40 characters of A-Z a-z 0-9 _ -, starting with a letter or digit (it prefixes the rooms)`);
  const logLevel = (raw("log_level") ?? "error") as string;
  if (!(LEVELS as readonly string[]).includes(logLevel)) errors.push(`${where("log_level")} must be one of ${LEVELS.join(", ")}`);
  const report = str("report");
  if (report !== null && !/\.html?$/i.test(report)) errors.push(`${where("report")}: the report is an HTML page: name it FILE.html`);

  const config: ArenaConfig = {
    game: game ?? { command: "", relay: false },
    seats,
    bots,
    kind: kind ?? "round-robin",
    gauntlet,
    matches: matches ?? null,
    seed: int("seed", 0, 0xffffffff, 1),
    parallel: int("parallel", 1, 256, defaults.parallel),
    sprt,
    matchTimeoutMs: int("match_timeout_ms", 100, 7 * 24 * 3600 * 1000, 600_000),
    startTimeoutMs: int("start_timeout_ms", 100, 3600 * 1000, 30_000),
    moveTimeoutMs: int("move_timeout_ms", 0, 24 * 3600 * 1000, 10_000),
    exitGraceMs: int("exit_grace_ms", 0, 600_000, 3000),
    broker,
    db: db ?? (broker ? "off" : "arena.db"),
    recordDir: str("record_dir") ?? "arena-replays",
    journal: str("journal") ?? "arena.jsonl",
    resume: flags.resume,
    name,
    json: str("json"),
    csv: str("csv"),
    report,
    logs: str("logs"),
    logLevel: logLevel as ArenaConfig["logLevel"],
    file: flags.config,
  };
  return errors.length > 0 ? { errors } : { config };
}

function isSprtTable(v: unknown): v is { elo0: unknown; elo1: unknown; alpha: unknown; beta: unknown } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && ["elo0", "elo1", "alpha", "beta"].every((k) => k in v);
}

/** The number of matches to play. */
export function matchesToPlay(c: ArenaConfig, roundSize: number): number {
  return c.matches ?? (c.sprt ? SPRT_MATCHES_MAX : roundSize);
}
