// Small SDK players for the SDK's end-to-end tests: an echo bot, a scripted game, typed versions;
// `rejection`, the error a call that must fail failed with; `nodeBot`, a bot script on the SDK as
// the npm package builds it for Node.js.
import { expect } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import protobuf from "protobufjs";
import { Action, BaseBot, BaseGame, ProtoBot, ProtoGame, protoCodec, type BotInfo, type SdkError } from "../../src/sdk/index.ts";

const text = new TextEncoder();
const utf8 = new TextDecoder();

const ROOT = new URL("../..", import.meta.url).pathname;

/**
 * Builds the SDK as the npm package does (bun build --target=node) into test/artifacts/`name`,
 * beside the repository's node_modules, and writes `source` there as bot.mjs (it imports
 * "./index.js"). Returns the script's path.
 */
export async function nodeBot(name: string, source: string): Promise<string> {
  const dir = join(ROOT, "test/artifacts", name);
  mkdirSync(dir, { recursive: true });
  const built = await Bun.build({ entrypoints: [join(ROOT, "src/sdk/index.ts")], outdir: dir, naming: "index.js", target: "node", format: "esm", external: ["protobufjs"] });
  expect(built.success).toBe(true);
  writeFileSync(join(dir, "bot.mjs"), source);
  return join(dir, "bot.mjs");
}

/** The rejection of `p`, which must reject (an SdkError, for the SDK's calls, unless told otherwise). */
export async function rejection<E = SdkError>(p: Promise<unknown>): Promise<E> {
  try {
    await p;
  } catch (e) {
    return e as E;
  }
  throw new Error("expected the promise to reject");
}

/** Answers every state with `name:` + the state; records what it saw. */
export class EchoBot extends BaseBot {
  readonly states: string[] = [];
  constructor(readonly name: string) {
    super();
  }
  decideMove(state: Uint8Array): Uint8Array {
    const s = utf8.decode(state);
    this.states.push(s);
    return text.encode(`${this.name}:${s}`);
  }
}

/** Asks the bots round robin for `turns` turns (state `turn t`), then ends the match. */
export class ScriptGame extends BaseGame {
  bots: BotInfo[] = [];
  readonly replies: string[] = [];
  private turn = 0;
  constructor(private readonly turns: number) {
    super();
  }
  initialise(bots: BotInfo[]): void {
    this.bots = bots;
  }
  async nextAction(): Promise<Action> {
    if (this.turn === this.turns) return Action.endGame();
    const t = this.turn++;
    return Action.playerAction(t % this.bots.length, text.encode(`turn ${t}`));
  }
  deliverResponse(response: Uint8Array): void {
    this.replies.push(utf8.decode(response));
  }
}

const root = protobuf.parse(
  `syntax = "proto3"; package sum;
   message Question { repeated uint32 terms = 1; string label = 2; }
   message Answer { uint64 total = 1; string label = 2; }`,
  { keepCase: true },
).root;
interface Question {
  terms: number[];
  label: string;
}
interface Answer {
  total: number;
  label: string;
}
const QuestionCodec = protoCodec<Question>(root.lookupType("sum.Question"));
const AnswerCodec = protoCodec<Answer>(root.lookupType("sum.Answer"));

/** A typed bot: adds up the terms of each question. */
export class SumBot extends ProtoBot<Question, Answer> {
  readonly name = "SumBot";
  readonly stateCodec = QuestionCodec;
  readonly replyCodec = AnswerCodec;
  decide(q: Question): Answer {
    return { total: q.terms.reduce((a, b) => a + b, 0), label: q.label };
  }
}

/** A typed game: asks bot 0 to add up 0..n-1 for n = 0..rounds-1 and records the answers. */
export class SumGame extends ProtoGame<Question, Answer> {
  readonly stateCodec = QuestionCodec;
  readonly replyCodec = AnswerCodec;
  readonly answers: Answer[] = [];
  private round = 0;
  constructor(private readonly rounds: number) {
    super();
  }
  initialise(): void {}
  nextTurn(): Action<Question> {
    if (this.round === this.rounds) return Action.endGame();
    const n = this.round++;
    return Action.playerAction(0, { terms: Array.from({ length: n }, (_, i) => i), label: `q${n}` });
  }
  deliverReply(reply: Answer): void {
    this.answers.push(reply);
  }
}

/** Sends the given states in turn to bot 0; keeps the replies and the type of each. */
export class BigStateGame extends BaseGame {
  readonly replies: Uint8Array[] = [];
  readonly kinds: string[] = [];
  private turn = 0;
  constructor(private readonly states: Uint8Array[]) {
    super();
  }
  initialise(_bots: BotInfo[]): void {}
  nextAction(): Action {
    const state = this.states[this.turn++];
    return state ? Action.playerAction(0, state) : Action.endGame();
  }
  deliverResponse(response: Uint8Array): void {
    this.kinds.push(response.constructor.name);
    this.replies.push(response);
  }
}

/** Answers each state with the state reversed; records the type of what it was given. */
export class ReverseBot extends BaseBot {
  readonly kinds: string[] = [];
  constructor(readonly name = "Reverse") {
    super();
  }
  decideMove(state: Uint8Array): Uint8Array {
    this.kinds.push(state.constructor.name);
    return state.slice().reverse();
  }
}

/** Every reply of `game` was its state reversed, byte for byte. */
export function expectReversed(game: BigStateGame, states: Uint8Array[]): void {
  expect(game.replies.length).toBe(states.length);
  game.replies.forEach((reply, i) => {
    expect(reply.length).toBe(states[i]!.length);
    expect(Bun.hash(reply)).toBe(Bun.hash(states[i]!.slice().reverse()));
  });
}

