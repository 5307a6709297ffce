// `--logs DIR`: each match's output (the game's and the bots' lines, labelled), kept in memory
// while it runs and written to DIR/ROOM.log when it ends; bounded, so a runaway program cannot
// fill the memory. The only file of the arena that writes them.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Each match's output, kept in memory until its end, then written to DIR/ROOM.log (bounded). */
export class MatchLogs {
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
