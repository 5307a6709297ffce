// `bitbroker arena`: plays a tournament between bots (any command lines) on an embedded broker,
// one room per match, and prints the table (README "Arena"). Exit 0 when it ran (crashes and
// timeouts of bots are results), 2 for bad settings, 1 when it cannot run, 130 when interrupted.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative } from "node:path";
import { parseArenaArgs, type ArenaConfig } from "../arena/config.ts";
import { EmbeddedBroker } from "../arena/embedded.ts";
import { ExternalBroker } from "../arena/external.ts";
import { shellQuote } from "../arena/launch.ts";
import { csvSummary, jsonSummary, textTable, type Summary } from "../arena/output.ts";
import { Progress, describe } from "../arena/progress.ts";
import { htmlReport } from "../arena/report.ts";
import { plan, roundSize } from "../arena/schedule.ts";
import { matchesToPlay, resolveConfig } from "../arena/settings.ts";
import { pentaOf, standings } from "../arena/standings.ts";
import { JournalStore } from "../arena/store.ts";
import { mismatches, runTournament, tournamentId } from "../arena/tournament.ts";

export const ARENA_HELP = `usage: bitbroker arena [--config FILE] [--game CMD] [--bot NAME=CMD ...] [options]

Plays a tournament: for each match, the game and the bots are started as child processes on an
embedded broker, in a room of their own, each bot seated by ticket. In each command line
{host} {port} {room} {seat} {name} {seed} are replaced, and BITBROKER_HOST, BITBROKER_PORT,
BITBROKER_ROOM, BITBROKER_SEAT (bots), BITBROKER_NAME (bots) and BITBROKER_SEED are set.
A command is run by /bin/sh -c (in the file, a list of strings runs without a shell).

  --config FILE        a league file (.toml, .yaml): game, bots, schedule, settings (README "Arena")
  --game CMD           the game's command line
  --bot NAME=CMD       a bot (repeat); names tell bots apart in the table
  --relay NAME         this bot (or "game") speaks v1 only: the arena relays it into its room and seat
  --schedule KIND      round-robin (default: every pairing, both seat orders), gauntlet, ffa
  --gauntlet NAME      the gauntlet's bot (default: the first)
  --seats N            seats per match (default 2; more: --schedule ffa)
  --matches N          matches to play (default: one round; with --sprt, until it decides)
  --parallel N         matches at once (default: the number of cores)
  --seed N             the schedule's and the matches' seeds (default 1)
  --sprt E0,E1,A,B     stop when a sequential test decides whether the first bot is stronger
                       than the second by E1 rather than E0 Elo (errors A and B), e.g. 0,10,0.05,0.05
  --match-timeout-ms N a match that has not ended by then is stopped (default 600000)
  --start-timeout-ms N a match that has not started by then is stopped (default 30000)
  --move-timeout-ms N  each move's deadline on the embedded broker (default 10000; 0 = none)
  --broker HOST:PORT   play on that broker instead of an embedded one: its BROKER_NUM_PLAYERS
                       must be the seats (or the game asks); results need its records (BROKER_DB)
  --broker-http URL    its health port, where GET /matches is (default http://HOST:8080)
  --exit-grace-ms N    after a match, how long its processes may take to exit before they are
                       stopped: SIGTERM, then SIGKILL 1 s later, to each one's process group (default 3000)
  --journal FILE       where played matches are kept (default arena.jsonl)
  --resume             play only the matches the journal does not have
  --name NAME          the tournament's name (default: derived from game, bots, schedule, seed)
  --json FILE          the standings as JSON (- = stdout, instead of the table)
  --csv FILE           the standings as CSV (- = stdout, instead of the table)
  --report FILE.html   one page: standings, ratings over the tournament, head-to-head, every match
  --logs DIR           each match's output (game and bots), one file per match
  --log-level LEVEL    the embedded broker's log (stderr): debug, info, warn, error (default)`;

export async function arenaCommand(argv: string[]): Promise<number> {
  const args = parseArenaArgs(argv);
  if (args.kind === "help") {
    console.log(ARENA_HELP);
    return 0;
  }
  if (args.kind === "errors") return usage(args.errors);
  let text: string | null = null;
  if (args.flags.config !== null) {
    try {
      text = readFileSync(args.flags.config, "utf8");
    } catch (e) {
      return usage([`--config: cannot read ${args.flags.config}: ${(e as Error).message}`]);
    }
  }
  const resolved = resolveConfig(args.flags, text, { parallel: availableParallelism() });
  if ("errors" in resolved) return usage(resolved.errors);
  return await play(resolved.config, argv);
}

function usage(errors: readonly string[]): number {
  console.error(`bitbroker arena: invalid settings:\n${errors.map((e) => `  - ${e}`).join("\n")}\nSee bitbroker arena --help.`);
  return 2;
}

async function play(config: ArenaConfig, argv: string[]): Promise<number> {
  const tournament = tournamentId(config);
  const names = config.bots.map((b) => b.name);
  const schedule = { kind: config.kind, bots: names.length, seats: config.seats, gauntlet: config.gauntlet, seed: config.seed };
  const planned = plan(schedule, matchesToPlay(config, roundSize(schedule)));
  const store = new JournalStore(config.journal);
  const before = await store.played(tournament);
  if (before.damaged > 0) console.error(`arena: ${before.damaged} damaged line(s) in ${store.label} skipped (their matches are played again)`);
  const played = before.matches.filter((m) => m.index < planned.length);
  if (played.length > 0 && !config.resume) {
    return usage([
      `${store.label} already holds ${before.matches.length} match(es) of tournament ${tournament}: add --resume to play only what is missing, or give --name (or another --journal) to play it again`,
    ]);
  }
  const wrong = mismatches(planned, played, names);
  if (wrong.length > 0) return usage([`${store.label} does not fit this schedule (tournament ${tournament}):`, ...wrong.slice(0, 10)]);

  const progress = new Progress(process.stderr, planned.length, names, played);
  const broker = config.broker
    ? new ExternalBroker(config.broker.host, config.broker.port, config.broker.http, (text) => progress.note(text))
    : EmbeddedBroker.start({ seats: config.seats, moveTimeoutMs: config.moveTimeoutMs, logLevel: config.logLevel, writeLog: (line) => progress.note(line.trimEnd()) });
  const logs = new MatchLogs(config.logs);
  const stop = new AbortController();
  let signalName: string | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalName !== null) return;
    signalName = sig;
    progress.note(`arena: ${sig}: stopping the running matches (they are not kept: --resume plays them again)`);
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const left = planned.length - played.length;
  progress.note(`arena: ${tournament}: ${config.kind} of ${names.length} bots, ${left} of ${planned.length} matches to play, ${config.parallel} at a time (broker ${config.broker ? "" : "embedded, "}${broker.host}:${broker.port}, journal ${store.label})`);

  let outcome;
  try {
    outcome = await runTournament({
      config,
      tournament,
      planned,
      store,
      broker,
      played,
      exitGraceMs: config.exitGraceMs,
      onLine: (room, label, line) => logs.add(room, label, line),
      onMatch: (m, all) => {
        logs.flush(m.room);
        if (m.end !== "normal") progress.note(`match #${m.index} (${m.lineup.join(" vs ")}): ${describe(m)}${m.reason ? `: ${m.reason}` : ""}`);
        progress.matchEnded(m, all.length);
      },
      onFailedStart: (m) => progress.note(`match #${m.index} (${m.lineup.join(" vs ")}) could not start: ${m.reason}`),
      signal: stop.signal,
    });
  } catch (e) {
    progress.finish();
    console.error(`arena: stopped: ${(e as Error).message}\nTo resume once it is fixed:\n  ${resumeCommand(argv)}`);
    return 1;
  } finally {
    await broker.stop();
    logs.flushAll();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    progress.finish();
  }

  const matches = outcome.matches;
  const table = standings(names, matches);
  const pairOf = (i: number) => planned[i]?.pair ?? null;
  const summary: Summary = {
    tournament,
    kind: config.kind,
    planned: planned.length,
    played: matches.length,
    interrupted: outcome.interrupted,
    gaveUp: outcome.gaveUp !== null,
    table,
    sprt: config.sprt && outcome.sprt ? { spec: config.sprt, state: outcome.sprt, a: names[0]!, b: names[1]!, penta: pentaOf(matches, names[0]!, names[1]!, pairOf) } : null,
  };
  const toStdout = config.json === "-" || config.csv === "-";
  if (!toStdout) console.log(textTable(summary));
  try {
    if (config.json !== null) writeOut(config.json, jsonSummary(summary) + "\n");
    if (config.csv !== null) writeOut(config.csv, csvSummary(summary));
    if (config.report !== null) {
      writeOut(config.report, htmlReport(summary, matches, { journal: store.label, logs: config.logs }));
      console.error(`arena: report written to ${config.report}`);
    }
  } catch (e) {
    console.error(`arena: ${(e as Error).message}`);
    return 1;
  }
  if (outcome.gaveUp !== null) {
    console.error(`arena: gave up: ${outcome.gaveUp}\nThose matches are not kept. Once the command lines are fixed, resume with:\n  ${resumeCommand(argv)}`);
    return 1;
  }
  if (outcome.interrupted) {
    console.error(`arena: interrupted after ${matches.length} of ${planned.length} matches. To resume:\n  ${resumeCommand(argv)}`);
    return signalName === "SIGTERM" ? 143 : 130;
  }
  return 0;
}

function writeOut(path: string, text: string): void {
  if (path === "-") {
    process.stdout.write(text);
    return;
  }
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (e) {
    throw new Error(`cannot write ${path}: ${(e as Error).message}`);
  }
}

/** The same command, with --resume. */
export function resumeCommand(argv: readonly string[]): string {
  const script = process.argv[1] ?? "";
  const near = relative(process.cwd(), script);
  const self = script.endsWith(".ts") ? `bun ${shellQuote(near.startsWith("..") || near === "" ? script : near)}` : shellQuote(process.execPath);
  const args = argv.includes("--resume") ? argv : [...argv, "--resume"];
  return [self, "arena", ...args.map(shellQuote)].join(" ");
}

/** Each match's output, kept in memory until its end, then written to DIR/ROOM.log (bounded). */
class MatchLogs {
  private readonly rooms = new Map<string, { lines: string[]; bytes: number }>();
  private static readonly BYTES_MAX = 4 * 1024 * 1024;

  constructor(private readonly dir: string | null) {}

  add(room: string, label: string, line: string): void {
    if (this.dir === null) return;
    let r = this.rooms.get(room);
    if (!r) this.rooms.set(room, (r = { lines: [], bytes: 0 }));
    if (r.bytes > MatchLogs.BYTES_MAX) return;
    const text = `[${label}] ${line}`;
    r.bytes += text.length + 1;
    r.lines.push(r.bytes > MatchLogs.BYTES_MAX ? "[arena] … output cut at 4 MiB" : text);
  }

  flush(room: string): void {
    const r = this.rooms.get(room);
    if (this.dir === null || !r) return;
    this.rooms.delete(room);
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(join(this.dir, `${room}.log`), r.lines.join("\n") + "\n");
    } catch (e) {
      console.error(`arena: cannot write the log of ${room}: ${(e as Error).message}`);
    }
  }

  flushAll(): void {
    for (const room of [...this.rooms.keys()]) this.flush(room);
  }
}
