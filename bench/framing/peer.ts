// The TypeScript peer of the framing bench (bench/framing.ts): one game or one bot on the
// TypeScript SDK, v1 lines or v2 frames. The game times its turns and prints one JSON line.
// `bun bench/framing/peer.ts game|bot PORT SIZE on|off [WARMUP_S MIN_S MIN_TURNS [gate]]`; with
// `gate` the game waits for a line on stdin after its report, before it ends the match. Not a test.
import { Action, BaseBot, BaseGame, runBot, runGame } from "../../src/sdk/index.ts";

const [role, portText, sizeText, framesText, warmupText = "0.5", minText = "1.5", minTurnsText = "20", gate] = process.argv.slice(2);
const port = Number(portText);
const size = Number(sizeText);
const frames = framesText === "on";
const REPLY = new TextEncoder().encode("move:42!");

/** Answers every state with the same 8 bytes, never reading it (the SDK has decoded it). */
class FixedBot extends BaseBot {
  readonly name = "bench-ts";
  decideMove(): Uint8Array {
    return REPLY;
  }
}

/** Asks bot 0 on the same state every turn: a warm-up, then timed turns (by count and time). */
class TimedGame extends BaseGame {
  private readonly state = Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) & 0xff);
  private readonly samplesUs: number[] = [];
  private turns = 0;
  private sentMs = 0;
  private phase: "warmup" | "timed" | "done" = "warmup";
  private phaseStartMs = performance.now();
  private timedTurns = 0;
  initialise(): void {
    this.phaseStartMs = performance.now();
  }
  async nextAction(): Promise<Action> {
    const now = performance.now();
    const elapsedS = (now - this.phaseStartMs) / 1000;
    if (this.phase === "warmup" && this.turns >= 5 && elapsedS >= Number(warmupText)) {
      this.phase = "timed";
      this.phaseStartMs = now;
    } else if (this.phase === "timed" && this.timedTurns >= Number(minTurnsText) && elapsedS >= Number(minText)) {
      this.report(now);
      // The harness reads the broker's socket counters while the match is still on.
      if (gate === "gate") await new Promise((r) => process.stdin.once("data", r));
      return Action.endGame();
    }
    this.sentMs = performance.now();
    return Action.playerAction(0, this.state);
  }
  deliverResponse(response: Uint8Array): void {
    const tookUs = (performance.now() - this.sentMs) * 1000;
    if (response.length !== REPLY.length) throw new Error("the bot's reply is not the fixed one");
    this.turns++;
    if (this.phase === "timed") {
      this.timedTurns++;
      this.samplesUs.push(tookUs);
    }
  }
  private report(now: number): void {
    const sorted = this.samplesUs.sort((a, b) => a - b);
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
    const seconds = (now - this.phaseStartMs) / 1000;
    console.log(JSON.stringify({ turns: this.timedTurns, turnsTotal: this.turns, seconds, turnsPerS: this.timedTurns / seconds, p50Us: at(0.5), p99Us: at(0.99) }));
  }
}

const options = { frames, log: () => {} };
if (role === "bot") await runBot(new FixedBot(), "127.0.0.1", port, options);
else await runGame(new TimedGame(), "127.0.0.1", port, options);
process.exit(0); // stdin, read by the gate, would keep the process alive
