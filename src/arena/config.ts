// The arena's settings: a league file (TOML or YAML, for leagues too long for a command line) and flags, flags
// winning, checked together. Pure: parse functions take text and argv; every problem is listed at
// once (the CLI prints them and exits 2). No I/O here.
import { parseArgs } from "node:util";
import { parseSettingsFile } from "../settings-file.ts";
import type { ScheduleKind } from "./schedule.ts";
import type { SprtSpec } from "./sprt.ts";

/** A program to launch: a string runs under /bin/sh -c, a list runs as it is (no shell). */
export type CommandLine = string | readonly string[];

export interface ClientSpec {
  readonly command: CommandLine;
  /** It speaks v1 only (no Hello: no room, no seat ticket): the arena relays its connection (README "Arena"). */
  readonly relay: boolean;
}

export interface BotSpec extends ClientSpec {
  readonly name: string;
}

export interface ArenaConfig {
  readonly game: ClientSpec;
  readonly seats: number;
  readonly bots: readonly BotSpec[];
  readonly kind: ScheduleKind;
  /** The gauntlet's bot (index into bots); 0 unless a gauntlet names another. */
  readonly gauntlet: number;
  /** Matches to play; null = one round (or, with an SPRT, until it decides, up to SPRT_MATCHES_MAX). */
  readonly matches: number | null;
  readonly seed: number;
  readonly parallel: number;
  readonly sprt: SprtSpec | null;
  readonly matchTimeoutMs: number;
  readonly startTimeoutMs: number;
  readonly moveTimeoutMs: number;
  /** After a match's end, how long its processes may take to exit on their own before they are stopped. */
  readonly exitGraceMs: number;
  /** Another broker to play on, or null for an embedded one; `http` is its health port's URL (GET /matches). */
  readonly broker: { readonly host: string; readonly port: number; readonly http: string } | null;
  /** The records database (BROKER_DB's values: a SQLite file, a postgres:// URL, or "off"). */
  readonly db: string;
  /** Where the embedded broker writes each match's replay. */
  readonly recordDir: string;
  readonly journal: string;
  readonly resume: boolean;
  /** The tournament's name (its rooms' prefix); null = derived from what is played. */
  readonly name: string | null;
  readonly json: string | null;
  readonly csv: string | null;
  readonly report: string | null;
  readonly logs: string | null;
  readonly logLevel: "debug" | "info" | "warn" | "error";
  /** The config file it was read from, for the resume command. */
  readonly file: string | null;
}

export type ArenaArgs = { readonly kind: "help" } | { readonly kind: "errors"; readonly errors: readonly string[] } | { readonly kind: "args"; readonly flags: Flags };

/** The command line, before the file is read: the file's path, and the flags that win over it. */
export interface Flags {
  readonly config: string | null;
  readonly game: string | null;
  readonly bots: readonly string[];
  readonly relay: readonly string[];
  readonly resume: boolean;
  readonly values: Readonly<Record<string, string>>;
}

/** Settings that may come from the file's [settings] / [schedule] / [game] tables or a flag of the same name (dashes for underscores). */
const SCALARS = ["schedule", "gauntlet", "seats", "matches", "seed", "parallel", "sprt", "match_timeout_ms", "start_timeout_ms", "move_timeout_ms", "exit_grace_ms", "broker", "broker_http", "db", "record_dir", "journal", "name", "json", "csv", "report", "logs", "log_level"] as const;
type Scalar = (typeof SCALARS)[number];

/** With an SPRT and no --matches: play until it decides, or this many matches. */
export const SPRT_MATCHES_MAX = 20_000;

export function parseArenaArgs(argv: readonly string[]): ArenaArgs {
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = {
    help: { type: "boolean", short: "h" },
    config: { type: "string" },
    game: { type: "string" },
    bot: { type: "string", multiple: true },
    relay: { type: "string", multiple: true },
    resume: { type: "boolean" },
  };
  for (const s of SCALARS) options[s.replaceAll("_", "-")] = { type: "string" };
  let values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    return { kind: "errors", errors: [(e as Error).message] };
  }
  if (values.help) return { kind: "help" };
  const scalars: Record<string, string> = {};
  for (const s of SCALARS) {
    const v = values[s.replaceAll("_", "-")];
    if (typeof v === "string") scalars[s] = v;
  }
  return {
    kind: "args",
    flags: {
      config: typeof values.config === "string" ? values.config : null,
      game: typeof values.game === "string" ? values.game : null,
      bots: (values.bot as string[] | undefined) ?? [],
      relay: (values.relay as string[] | undefined) ?? [],
      resume: values.resume === true,
      values: scalars,
    },
  };
}

/** What a config file holds, checked for shape; `where` prefixes its problems. */
export interface FileSettings {
  game: ClientSpec | null;
  bots: BotSpec[];
  values: Partial<Record<Scalar, unknown>>;
}

/** The file's tables and their keys; [schedule]'s `kind` is the `schedule` setting, [game]'s command and relay its client. */
const TABLES: Readonly<Record<string, readonly string[]>> = {
  game: ["command", "relay", "seats"],
  schedule: ["kind", "gauntlet", "matches", "seed"],
  settings: ["parallel", "sprt", "match_timeout_ms", "start_timeout_ms", "move_timeout_ms", "exit_grace_ms", "broker", "broker_http", "db", "record_dir", "journal", "name", "json", "csv", "report", "logs", "log_level"],
};

/** Reads a league file (TOML, or YAML by its extension). The [schedule] table's `kind` is the `schedule` setting. */
export function parseArenaFile(text: string, name: string, errors: string[]): FileSettings {
  const out: FileSettings = { game: null, bots: [], values: {} };
  const parsed = parseSettingsFile(text, name, "league file");
  if (parsed.kind === "errors") {
    errors.push(...parsed.errors);
    return out;
  }
  const data = parsed.data ?? {};
  if (!isTable(data)) {
    errors.push(`${name}: the top level must be a table of [game], [[bot]], [schedule] and [settings]`);
    return out;
  }
  for (const key of Object.keys(data)) {
    if (!["game", "bot", "schedule", "settings"].includes(key)) errors.push(`${name}: unknown table "${key}" (known: game, bot, schedule, settings)`);
  }
  for (const [table, keys] of Object.entries(TABLES)) {
    const t = data[table];
    if (t === undefined) continue;
    if (!isTable(t)) {
      errors.push(`${name}: [${table}] must be a table`);
      continue;
    }
    for (const [k, v] of Object.entries(t)) {
      if (!keys.includes(k)) errors.push(`${name}: [${table}] has an unknown setting "${k}" (known: ${keys.join(", ")})`);
      else if (k !== "command" && k !== "relay") out.values[(k === "kind" ? "schedule" : k) as Scalar] = v;
    }
    if (table === "game") out.game = clientOf(t, `${name}: [game]`, errors);
  }
  const bots = data.bot ?? [];
  if (!Array.isArray(bots)) errors.push(`${name}: bots are [[bot]] tables (an array of tables)`);
  else {
    bots.forEach((b: unknown, i) => {
      const where = `${name}: [[bot]] #${i + 1}`;
      if (!isTable(b)) return errors.push(`${where} must be a table`);
      for (const k of Object.keys(b)) if (!["name", "command", "relay"].includes(k)) errors.push(`${where} has an unknown setting "${k}" (known: name, command, relay)`);
      if (typeof b.name !== "string") return errors.push(`${where} needs a name (a string)`);
      const client = clientOf(b, `${name}: bot "${b.name}"`, errors);
      if (client) out.bots.push({ name: b.name, ...client });
    });
  }
  return out;
}

function clientOf(t: Record<string, unknown>, where: string, errors: string[]): ClientSpec | null {
  const { command, relay = false } = t;
  if (typeof relay !== "boolean") errors.push(`${where}: relay must be true or false`);
  if (typeof command === "string" && command.trim() !== "") return { command, relay: relay === true };
  if (Array.isArray(command) && command.length > 0 && command.every((c) => typeof c === "string")) return { command: command as string[], relay: relay === true };
  errors.push(`${where}: command must be a command line (a string, run by /bin/sh) or a non-empty list of strings`);
  return null;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
