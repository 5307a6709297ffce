// TypeScript SDK players for the interop suites: a bot that answers `name:` + the state reversed
// (the reply of test/interop's original-crate players) and a game that checks every reply byte
// for byte and can hold its match open at a gate. They use only the SDK's public API.
import { Action, BaseBot, BaseGame, type BotInfo } from "../../src/sdk/index.ts";

const text = new TextEncoder();

/** The reply every bot gives: its name, ':', then the state reversed (as players.rs). */
export function expectedReply(name: string, state: Uint8Array): Uint8Array {
  const head = text.encode(`${name}:`);
  const reply = new Uint8Array(head.length + state.length);
  reply.set(head);
  reply.set(state.slice().reverse(), head.length);
  return reply;
}

/** Answers with {@link expectedReply}; keeps a copy of every state it was sent. */
export class ReverseBot extends BaseBot {
  readonly states: Uint8Array[] = [];
  constructor(readonly name: string) {
    super();
  }
  decideMove(state: Uint8Array): Uint8Array {
    this.states.push(state.slice());
    return expectedReply(this.name, state);
  }
}

/**
 * The state of turn `turn` for bot `index`: distinct per turn, with bytes that need care on the
 * wire (00, newline, CR, FF); turn 1 is empty, turn `bigTurn` has `bigBytes` bytes.
 */
export function stateFor(turn: number, index: number, bigTurn: number, bigBytes: number): Uint8Array {
  if (turn === 1) return new Uint8Array(0);
  if (turn === bigTurn) return Uint8Array.from({ length: bigBytes }, (_, i) => (i * 7 + turn) & 0xff);
  return Uint8Array.from([...text.encode(`turn ${turn} bot ${index} `), 0x00, 0x0a, 0x0d, 0xff, turn & 0xff]);
}

/** Held once, before the first turn of the second round, until the test opens it. */
export class Gate {
  /** Resolves when the game reaches the gate (every bot has replied once). */
  readonly reached: Promise<void>;
  private reach!: () => void;
  private opened!: () => void;
  private readonly open_: Promise<void>;
  constructor() {
    this.reached = new Promise((r) => (this.reach = r));
    this.open_ = new Promise((r) => (this.opened = r));
  }
  open(): void {
    this.opened();
  }
  /** Called by the game at the gate. */
  async pass(): Promise<void> {
    this.reach();
    await this.open_;
  }
}

/** Asks every bot `rounds` times in index order, checks each reply byte for byte, then ends. */
export class CheckingGame extends BaseGame {
  bots: BotInfo[] = [];
  /** (bot index, state) of every action, in order. */
  readonly asked: Array<[number, Uint8Array]> = [];
  readonly replies: Uint8Array[] = [];
  /** What went wrong; empty when every reply was the one expected. */
  readonly problems: string[] = [];
  ended = false;
  constructor(
    private readonly rounds: number,
    private readonly big: { turn: number; bytes: number } = { turn: 4, bytes: 100_000 },
    private readonly gate?: Gate,
  ) {
    super();
  }
  initialise(bots: BotInfo[]): void {
    this.bots = bots;
  }
  async nextAction(): Promise<Action> {
    const turn = this.asked.length;
    if (turn === this.bots.length && this.gate) await this.gate.pass();
    if (turn === this.rounds * this.bots.length) {
      this.ended = true;
      return Action.endGame();
    }
    const index = turn % this.bots.length;
    const state = stateFor(turn, index, this.big.turn, this.big.bytes);
    this.asked.push([index, state]);
    return Action.playerAction(index, state);
  }
  deliverResponse(response: Uint8Array): void {
    const asked = this.asked[this.replies.length];
    if (asked === undefined) this.problems.push("a reply arrived with no question");
    else {
      const name = this.bots.find((b) => b.index === asked[0])?.name ?? "";
      const want = expectedReply(name, asked[1]);
      if (Buffer.compare(response, want) !== 0) this.problems.push(`turn ${this.replies.length}: bot ${asked[0]} (${name}) replied ${response.length} bytes, not the ${want.length} expected (first difference at byte ${response.findIndex((b, i) => b !== want[i])})`);
    }
    this.replies.push(response.slice());
  }
  /** The states sent to the bot called `name`, in order. */
  sentTo(name: string): Uint8Array[] {
    const index = this.bots.find((b) => b.name === name)?.index;
    return this.asked.filter(([i]) => i === index).map(([, s]) => s);
  }
}
