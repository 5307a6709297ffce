// A Connect Four match played one move at a time by the test, over raw sockets: the game (room
// "connect4") sends real connect4.GameState bytes, the bots answer real Moves, so the page's
// viewer draws the true board. The test decides when each turn happens, so nothing races.
import { Control, Opcode, askBot, encodeResult, message, reply, type MatchResult } from "../../src/protocol/index.ts";
import { Connect4Match } from "../../examples/connect4/match.ts";
import { discOf } from "../../examples/connect4/rules.ts";
import { GameStateCodec, MoveCodec } from "../../examples/connect4/schema.ts";
import type { RawClient } from "../e2e/harness.ts";
import { joinBotIn, joinGameIn } from "../e2e/players.ts";

export class SteppedConnect4 {
  readonly match: Connect4Match;
  private constructor(
    private readonly game: RawClient,
    private readonly bots: readonly [RawClient, RawClient],
    readonly names: readonly [string, string],
  ) {
    this.match = new Connect4Match([names[0], names[1]]);
  }

  /** Joins a game and two bots in `room`; resolves once the match has started (the game has its first trigger). */
  static async start(port: number, room: string, names: readonly [string, string], seated: (name: string) => Promise<void>): Promise<SteppedConnect4> {
    const game = await joinGameIn(port, room, 2);
    const red = await joinBotIn(port, names[0], room);
    await seated(names[0]); // seat order: the first bot seated plays red
    const yellow = await joinBotIn(port, names[1], room);
    for (const c of [game, red, yellow]) expectCode(await c.next(), Opcode.control, Control.welcome);
    expectCode(await game.next(), Opcode.control, Control.batch);
    expectCode(await game.next(), Opcode.trigger, 0);
    return new SteppedConnect4(game, [red, yellow], names);
  }

  /** One move: the game sends the board to the bot to move, which drops a disc in `column`. */
  async turn(column: number): Promise<void> {
    const mover = this.match.toMove;
    const state = GameStateCodec.encode({ cells: this.match.cells, you: discOf(mover), turn: this.match.moves });
    await this.game.send(askBot(mover, state));
    const bot = this.bots[mover]!;
    expectCode(await bot.next(), Opcode.move, 5);
    await bot.send(reply(MoveCodec.encode({ column })));
    expectCode(await this.game.next(), Opcode.move, 0);
    this.match.play(column);
    expectCode(await this.game.next(), Opcode.trigger, 0);
  }

  /** The game ends the match with a result; resolves once everyone is closed. */
  async end(result: MatchResult): Promise<void> {
    await this.game.send(message(Opcode.control, Control.endGame, encodeResult(result)));
    await Promise.all([this.game.untilClosed(), ...this.bots.map((b) => b.untilClosed())]);
  }
}

function expectCode(m: { opcode: number; operand: number }, opcode: number, operand: number): void {
  if (m.opcode !== opcode || m.operand !== operand) throw new Error(`expected ${opcode} ${operand}, got ${m.opcode} ${m.operand}`);
}
