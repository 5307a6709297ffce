// Preloaded by bun test (bunfig.toml): the default bound on one test. Bun does not read a
// timeout from bunfig.toml (oven-sh/bun#7789), so it is set here. Generous on purpose: a test
// waits for conditions with bounds of its own, and a loaded machine must not fail it on time.
import { setDefaultTimeout } from "bun:test";

setDefaultTimeout(60_000);
