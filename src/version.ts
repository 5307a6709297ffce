// What this build is: package.json's version, and the git commit `bun run build` defines (empty when
// run from source). Read by --version, the start-up log and GET /health; it must not read git itself.
import pkg from "../package.json" with { type: "json" };

/** Set by scripts/build.ts (`bun build --define`); undeclared under `bun src/main.ts`. */
declare const BITBROKER_COMMIT: string | undefined;

export const VERSION: string = pkg.version;
/** The short commit, "-dirty" when built from changed sources; "" when unknown. */
export const COMMIT: string = typeof BITBROKER_COMMIT === "string" ? BITBROKER_COMMIT : "";
/** As `--version` prints it: "0.1.0 (1a2b3c4d5e6f)", or "0.1.0" when the commit is unknown. */
export const VERSION_TEXT: string = COMMIT ? `${VERSION} (${COMMIT})` : VERSION;
