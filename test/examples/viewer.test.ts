// The Connect Four viewer module (examples/connect4/viewer/connect4.js) against the example's own
// codecs and rules: it reads the states the referee sends, names moves, plays a reply onto a state
// as the referee would, turns a click into a Move, and draws on a canvas-like context.
import { expect, test } from "bun:test";
import { Connect4Match } from "../../examples/connect4/match.ts";
import { discOf } from "../../examples/connect4/rules.ts";
import { GameStateCodec, MoveCodec } from "../../examples/connect4/schema.ts";

interface Viewer {
  api: number;
  decodeState(b: Uint8Array): { cells: Uint8Array; you: number; turn: number };
  describe(b: Uint8Array, kind: "state" | "reply"): string;
  advance(state: Uint8Array, reply: Uint8Array): Uint8Array | null;
  reply(click: { x: number; y: number; width: number; height: number }, state: Uint8Array): Uint8Array | null;
  draw(ctx: unknown, state: Uint8Array, view: { width: number; height: number; bots: string[] }): void;
}
const path = new URL("../../examples/connect4/viewer/connect4.js", import.meta.url).pathname;
const viewer = (await import(path)) as Viewer;

const stateOf = (m: Connect4Match) => GameStateCodec.encode({ cells: m.cells, you: discOf(m.toMove), turn: m.moves });

test("reads the referee's states and plays replies onto them as the rules do", () => {
  expect(viewer.api).toBe(1);
  const m = new Connect4Match(["A", "B"]);
  for (const column of [3, 3, 4, 0, 6, 6, 5]) {
    const state = stateOf(m);
    expect(viewer.decodeState(state)).toEqual({ cells: Uint8Array.from(m.cells), you: discOf(m.toMove), turn: m.moves });
    const move = MoveCodec.encode({ column });
    expect(viewer.describe(move, "reply")).toBe(`column ${column}`);
    const next = viewer.advance(state, move)!;
    m.play(column);
    if (!m.result) expect(viewer.decodeState(next)).toEqual(viewer.decodeState(stateOf(m)));
  }
  expect(m.result).toMatchObject({ result: "win", winner: 0 });
});

test("a click becomes the Move of its column, or null on a full column or off the board", () => {
  const m = new Connect4Match(["A", "B"]);
  const view = { width: 420, height: 360 };
  const cell = Math.min(420 / 7, (360 - 28) / 6);
  for (let c = 0; c < 7; c++) expect(MoveCodec.decode(viewer.reply({ ...view, x: (c + 0.5) * cell, y: 10 }, stateOf(m))!).column).toBe(c);
  expect(viewer.reply({ ...view, x: 7.5 * cell, y: 10 }, stateOf(m))).toBeNull();
  for (let i = 0; i < 6; i++) m.play(2); // column 2 fills up (no four in a column: colours alternate)
  expect(viewer.reply({ ...view, x: 2.5 * cell, y: 10 }, stateOf(m))).toBeNull();
});

test("draws 42 cells and a caption; refuses bytes that are not a board", () => {
  const calls: string[] = [];
  const ctx = new Proxy({} as Record<string, unknown>, {
    get: (_t, k) => (typeof k === "string" && ["fillRect", "beginPath", "arc", "fill", "fillText"].includes(k) ? (...a: unknown[]) => calls.push(`${k}:${a.length}`) : undefined),
    set: () => true,
  });
  viewer.draw(ctx, stateOf(new Connect4Match(["A", "B"])), { width: 420, height: 360, bots: ["A", "B"] });
  expect(calls.filter((c) => c.startsWith("arc")).length).toBe(42);
  expect(calls.at(-1)).toBe("fillText:3");
  expect(() => viewer.draw(ctx, new TextEncoder().encode("hello"), { width: 420, height: 360, bots: [] })).toThrow();
});
