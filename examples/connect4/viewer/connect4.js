// The Connect Four viewer for BitBroker's dashboard (README "Game viewers"): draws a
// connect4.GameState on a canvas, names the move in a Move reply, plays a reply onto a state, and
// turns a click into a Move (for a human seat). Plain ES module, no imports: the page loads it as
// /ui/viewers/connect4.js from BROKER_VIEWERS_DIR. Protobuf is read and written by hand (3 fields).
export const api = 1;

const COLUMNS = 7;
const ROWS = 6;
const COLOURS = ["#ffffff", "#e53935", "#fdd835"];
const MARKS = [".", "X", "O"];

function varint(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (at >= bytes.length) throw new Error("truncated varint");
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, at];
    shift += 7;
    if (shift > 49) throw new Error("varint too long");
  }
}

/** connect4.GameState → { cells (42), you, turn }; throws if the bytes are not one. */
export function decodeState(bytes) {
  const s = { cells: new Uint8Array(COLUMNS * ROWS), you: 0, turn: 0 };
  let at = 0;
  let cells = null;
  while (at < bytes.length) {
    let key;
    [key, at] = varint(bytes, at);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 2) {
      let n;
      [n, at] = varint(bytes, at);
      if (at + n > bytes.length) throw new Error("truncated field");
      if (field === 1) cells = bytes.slice(at, at + n);
      at += n;
    } else if (wire === 0) {
      let v;
      [v, at] = varint(bytes, at);
      if (field === 2) s.you = v;
      if (field === 3) s.turn = v;
    } else throw new Error(`wire type ${wire}`);
  }
  if (!cells || cells.length !== COLUMNS * ROWS) throw new Error("not a Connect Four board");
  s.cells = cells;
  return s;
}

function encodeVarint(out, v) {
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

export function encodeState(s) {
  const out = [0x0a, s.cells.length, ...s.cells];
  if (s.you) out.push(0x10), encodeVarint(out, s.you);
  if (s.turn) out.push(0x18), encodeVarint(out, s.turn);
  return Uint8Array.from(out);
}

/** connect4.Move → its column (0 when the field is absent, as in proto3). */
export function decodeMove(bytes) {
  if (bytes.length === 0) return 0;
  if (bytes[0] !== 0x08) throw new Error("not a Move");
  return varint(bytes, 1)[0];
}

/** Draws the board: row 0 at the bottom, the player to move named under it. */
export function draw(ctx, state, view) {
  const s = decodeState(state);
  const cell = Math.min(view.width / COLUMNS, (view.height - 28) / ROWS);
  ctx.fillStyle = "#1565c0";
  ctx.fillRect(0, 0, cell * COLUMNS, cell * ROWS);
  for (let row = 0; row < ROWS; row++) {
    for (let col = 0; col < COLUMNS; col++) {
      const disc = s.cells[row * COLUMNS + col];
      ctx.fillStyle = COLOURS[disc] ?? "#999";
      ctx.beginPath();
      ctx.arc((col + 0.5) * cell, (ROWS - row - 0.5) * cell, cell * 0.4, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
  const bots = view.bots ?? [];
  const mover = s.you === 1 || s.you === 2 ? `${bots[s.you - 1] ?? `bot ${s.you - 1}`} (${s.you === 1 ? "red" : "yellow"}) to move` : "";
  ctx.fillStyle = "#222";
  ctx.font = "14px sans-serif";
  ctx.fillText(`move ${s.turn}${mover ? ` · ${mover}` : ""}`, 4, cell * ROWS + 20);
}

/** A line of text for the message list: the board as marks, or the column of a move. */
export function describe(body, kind) {
  if (kind === "reply") return `column ${decodeMove(body)}`;
  const s = decodeState(body);
  const rows = [];
  for (let row = ROWS - 1; row >= 0; row--) rows.push(Array.from(s.cells.subarray(row * COLUMNS, row * COLUMNS + COLUMNS), (c) => MARKS[c] ?? "?").join(""));
  return `move ${s.turn}, ${MARKS[s.you] ?? "?"} to play: ${rows.join("/")}`;
}

/** The state after `reply` is played on `state` (the next player to move), or null if it cannot be. */
export function advance(state, reply) {
  const s = decodeState(state);
  const column = decodeMove(reply);
  if (column >= COLUMNS || (s.you !== 1 && s.you !== 2)) return null;
  const cells = Uint8Array.from(s.cells);
  for (let row = 0; row < ROWS; row++) {
    if (cells[row * COLUMNS + column] === 0) {
      cells[row * COLUMNS + column] = s.you;
      return encodeState({ cells, you: 3 - s.you, turn: s.turn + 1 });
    }
  }
  return null;
}

/** A human's click on the drawn board → the Move for that column, or null (off the board, full). */
export function reply(click, state) {
  const s = decodeState(state);
  const cell = Math.min(click.width / COLUMNS, (click.height - 28) / ROWS);
  const column = Math.floor(click.x / cell);
  if (column < 0 || column >= COLUMNS || s.cells[(ROWS - 1) * COLUMNS + column] !== 0) return null;
  return column === 0 ? new Uint8Array() : Uint8Array.from([0x08, column]);
}
