// One log line per event, to stdout: readable text by default, JSON with LOG_FORMAT=json.
import type { LogFormat, LogLevelName } from "./config.ts";

type Fields = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

const RANK: Record<LogLevelName, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export class Logger {
  constructor(
    private readonly level: LogLevelName,
    private readonly format: LogFormat,
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {}

  enabled(level: LogLevelName): boolean {
    return RANK[level] >= RANK[this.level];
  }

  log(level: LogLevelName, event: string, fields: Fields = {}): void {
    if (!this.enabled(level)) return;
    const ts = new Date().toISOString();
    if (this.format === "json") {
      this.write(JSON.stringify({ ts, level, event, ...fields }) + "\n");
      return;
    }
    const rest = Object.entries(fields)
      .map(([k, v]) => `${k}=${text(v)}`)
      .join(" ");
    this.write(`${ts} ${level.toUpperCase().padEnd(5)} ${event}${rest ? " " + rest : ""}\n`);
  }
}

/** A field's value in a text line: quoted when it holds spaces, quotes or "="; lists as JSON. */
function text(v: Fields[string]): string {
  if (typeof v === "string") return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  return Array.isArray(v) ? JSON.stringify(v) : String(v);
}
