// Game viewers: ES modules an operator puts in BROKER_VIEWERS_DIR, named <room>.js or
// <game client>.js, that draw a game's state on a canvas (README "Game viewers"). Read from disk
// when asked, so a viewer can be added or changed while the broker runs; names are checked, so no
// request reaches outside that directory.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class Viewers {
  /** @param dir BROKER_VIEWERS_DIR, or "" for none. */
  constructor(private readonly dir: string) {}

  /** The viewer of a match: its room's, else its game client's, else null. */
  find(room: string, gameClient: string): string | null {
    for (const name of [room, gameClient]) if (this.read(name) !== null) return name;
    return null;
  }

  /** The module's source, or null if there is no such viewer. */
  read(name: string): string | null {
    if (this.dir === "" || !NAME.test(name)) return null;
    const path = join(this.dir, `${name}.js`);
    if (!existsSync(path)) return null;
    try {
      return readFileSync(path, "utf8");
    } catch {
      return null;
    }
  }
}
