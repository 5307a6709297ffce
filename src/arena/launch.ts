// How a game or bot is told where to play: {host} {port} {room} {seat} {name} {seed} substituted in
// its command line, and BITBROKER_HOST, _PORT, _ROOM, _SEAT, _NAME, _SEED in its environment. Pure.
import type { CommandLine } from "./config.ts";

export interface Place {
  readonly host: string;
  readonly port: number;
  readonly room: string;
  /** A bot's seat ticket (PROTOCOL.md §9.7); null for the game. */
  readonly seat: number | null;
  /** The bot's name in the tournament; null for the game. */
  readonly name: string | null;
  readonly seed: number;
}

const PLACEHOLDER = /\{(host|port|room|seat|name|seed)\}/g;

function valueOf(p: Place, key: string): string {
  switch (key) {
    case "host":
      return p.host;
    case "port":
      return String(p.port);
    case "room":
      return p.room;
    case "seat":
      return p.seat === null ? "" : String(p.seat);
    case "name":
      return p.name ?? "";
    default:
      return String(p.seed);
  }
}

/** Quotes a value for /bin/sh when it holds anything but plain characters. */
export function shellQuote(v: string): string {
  return /^[A-Za-z0-9._:/@%+=,-]+$/.test(v) ? v : `'${v.replaceAll("'", `'\\''`)}'`;
}

/** The program and its arguments: a string runs under /bin/sh -c (values quoted), a list as it is. */
export function argvOf(command: CommandLine, p: Place): string[] {
  if (typeof command === "string") return ["/bin/sh", "-c", command.replace(PLACEHOLDER, (_, key: string) => shellQuote(valueOf(p, key)))];
  return command.map((arg) => arg.replace(PLACEHOLDER, (_, key: string) => valueOf(p, key)));
}

/** The BITBROKER_* variables our SDKs read (and BITBROKER_NAME, BITBROKER_SEED for anyone). */
export function envOf(p: Place): Record<string, string> {
  const env: Record<string, string> = { BITBROKER_HOST: p.host, BITBROKER_PORT: String(p.port), BITBROKER_ROOM: p.room, BITBROKER_SEED: String(p.seed) };
  if (p.seat !== null) env.BITBROKER_SEAT = String(p.seat);
  if (p.name !== null) env.BITBROKER_NAME = p.name;
  return env;
}
