// The /play page (README "Play in the browser"): a person takes a bot's seat. It joins over /ws as
// an ordinary bot whose Hello says `human`, asking for "timing" (each move's deadline) and
// "results"; it shows each state through the game's viewer when there is one (else as text or hex),
// counts the deadline down, and sends the reply typed, or clicked when the viewer offers `reply`.
// State for tests and people alike lives in the DOM: #status[data-phase], #board[data-moves].
import * as proto from "/play/proto.js";

const VERSION = "__BITBROKER_VERSION__";
const $ = (selector) => document.querySelector(selector);
const utf8 = new TextDecoder("utf-8", { fatal: true });
const hex2 = (n) => n.toString(16).padStart(2, "0");

const seat = {
  ws: null,
  viewer: null,
  /** The state this seat must answer, while it is its move. */
  state: null,
  /** The MoveTiming that came before the state (PROTOCOL.md §9.5), and when. */
  timing: null,
  deadlineAt: 0,
  clock: null,
  moves: 0,
  clicks: 0,
  result: null,
  ended: false,
};

function status(phase, text) {
  const s = $("#status");
  s.dataset.phase = phase;
  s.textContent = text;
}

function note(text) {
  $("#hint").textContent = text;
}

function listMove(text) {
  const li = document.createElement("li");
  li.textContent = text;
  $("#moves").append(li);
  li.scrollIntoView({ block: "nearest" });
}

/** The body as text when it is printable UTF-8, else as hex. */
function bodyText(bytes) {
  if (bytes.length === 0) return "(empty)";
  try {
    const text = utf8.decode(bytes);
    if (!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) return text;
  } catch {
    // not UTF-8: hex below
  }
  return Array.from(bytes.subarray(0, 4096), hex2).join(" ") + (bytes.length > 4096 ? " …" : "");
}

function describe(bytes, kind) {
  if (seat.viewer?.describe) {
    try {
      const line = seat.viewer.describe(bytes, kind);
      if (line) return line;
    } catch {
      // not this viewer's bytes: plain text below
    }
  }
  return `${bytes.length} bytes: ${bodyText(bytes).slice(0, 120)}`;
}

/** The game's viewer: ?viewer=NAME, else the room's (BROKER_VIEWERS_DIR), else none. */
async function loadViewer(room, asked) {
  try {
    const r = await fetch(`/play/viewer-for?room=${encodeURIComponent(room)}&viewer=${encodeURIComponent(asked ?? "")}`);
    const { viewer } = await r.json();
    if (!viewer) return null;
    const module = await import(`/play/viewers/${encodeURIComponent(viewer)}.js`);
    $("#board").dataset.viewer = viewer;
    return module;
  } catch (e) {
    $("#board-note").textContent = `viewer not loaded: ${e.message ?? e}`;
    return null;
  }
}

/** Draws a state: through the viewer (every index labelled `who`), else as text or hex. */
function show(state, who) {
  const canvas = $("#board");
  if (seat.viewer) {
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    try {
      seat.viewer.draw(ctx, state, { width: canvas.width, height: canvas.height, bots: Array(256).fill(who) });
      return;
    } catch (e) {
      $("#board-note").textContent = `the viewer could not draw this state (${e.message ?? e}): shown as text`;
    }
  }
  canvas.hidden = true;
  const pre = $("#state-text");
  pre.hidden = false;
  pre.textContent = bodyText(state);
}

function tick() {
  const left = Math.max(0, seat.deadlineAt - performance.now());
  const el = $("#countdown");
  el.dataset.ms = String(Math.round(left));
  el.textContent = `${(left / 1000).toFixed(1)} s`;
  el.classList.toggle("low", left < 5000);
}

function stopClock(text) {
  clearInterval(seat.clock);
  seat.clock = null;
  if (text !== undefined) {
    $("#countdown").textContent = text;
    $("#countdown").dataset.ms = "";
  }
}

function yourMove(state) {
  seat.state = state;
  seat.moves++;
  show(state, "you");
  const canvas = $("#board");
  canvas.dataset.moves = String(seat.moves);
  const clickable = typeof seat.viewer?.reply === "function";
  canvas.classList.toggle("clickable", clickable);
  listMove(`state ${seat.moves}: ${describe(state, "state")}`);
  const t = seat.timing;
  seat.timing = null;
  stopClock();
  if (t && t.deadlineMs > 0) {
    seat.deadlineAt = t.at + t.deadlineMs;
    tick();
    seat.clock = setInterval(tick, 100);
  } else stopClock("no deadline");
  $("#reply button").disabled = false;
  note(clickable ? "Click the board to play, or type a reply." : "Type your reply.");
  status("your-move", "your move");
}

function sendReply(bytes) {
  if (seat.state === null || seat.ended) return;
  seat.ws.send(proto.reply(bytes));
  const state = seat.state;
  seat.state = null;
  stopClock("–");
  $("#reply button").disabled = true;
  $("#board").classList.remove("clickable");
  listMove(`your reply: ${describe(bytes, "reply")}`);
  // Show the move just made, when the viewer can play it onto the state.
  try {
    const next = seat.viewer?.advance?.(state, bytes);
    if (next instanceof Uint8Array) show(next, "next player");
  } catch {
    // the viewer cannot: the board stays as it was
  }
  note("");
  status("waiting-opponent", "reply sent: waiting for the next state");
}

function onClick(event) {
  const canvas = $("#board");
  if (seat.state === null || typeof seat.viewer?.reply !== "function") return;
  const rect = canvas.getBoundingClientRect();
  const click = {
    x: ((event.clientX - rect.left) * canvas.width) / rect.width,
    y: ((event.clientY - rect.top) * canvas.height) / rect.height,
    width: canvas.width,
    height: canvas.height,
  };
  let bytes = null;
  try {
    bytes = seat.viewer.reply(click, seat.state);
  } catch (e) {
    note(`the viewer could not read that click: ${e.message ?? e}`);
  }
  seat.clicks++;
  canvas.dataset.clicks = String(seat.clicks);
  canvas.dataset.lastClick = bytes instanceof Uint8Array ? "sent" : "refused";
  if (bytes instanceof Uint8Array) sendReply(bytes);
  else note("That is not a move you can make: click somewhere else.");
}

function onTyped(event) {
  event.preventDefault();
  const form = event.target;
  const value = form.elements.reply.value;
  let bytes;
  if (form.elements.hex.checked) {
    const digits = value.replace(/\s+/g, "");
    if (!/^([0-9a-fA-F]{2})*$/.test(digits)) return note("Hex is pairs of digits, e.g. 08 03.");
    bytes = Uint8Array.from(digits.match(/../g) ?? [], (h) => parseInt(h, 16));
  } else bytes = new TextEncoder().encode(value);
  form.elements.reply.value = "";
  sendReply(bytes);
}

function ended(body) {
  seat.ended = true;
  seat.state = null;
  stopClock("–");
  $("#reply button").disabled = true;
  const reason = new TextDecoder().decode(body);
  const code = reason === "" ? "normal" : (/^([a-z_]+): /.exec(reason)?.[1] ?? "unknown");
  const r = $("#result");
  r.dataset.end = code;
  const summary = seat.result?.summary ? ` · ${seat.result.summary}` : "";
  r.textContent = reason === "" ? `Match over${summary}` : `Match ended: ${reason}`;
  status("ended", reason === "" ? "match over" : `match ended: ${code}`);
}

function onMessage(bytes) {
  const [opcode, operand] = bytes;
  const body = bytes.subarray(2);
  if (opcode === 0x02 && operand !== 0x00) return yourMove(body);
  if (opcode !== 0x00) return note(`unexpected message ${hex2(opcode)} ${hex2(operand)}`);
  switch (operand) {
    case 0x03: {
      const w = proto.welcome(body);
      $("#welcome").textContent = `Room ${w.room}: place ${w.queuePosition} in the queue, ${w.bots} bots per match (broker ${w.brokerVersion}).`;
      return status("waiting", "waiting for a match");
    }
    case 0x30:
      seat.timing = { ...proto.moveTiming(body), at: performance.now() };
      return;
    case 0x32:
      seat.result = proto.matchResult(body);
      return listMove(`result: ${seat.result.summary || JSON.stringify(seat.result.seats)}`);
    case 0xff:
      return ended(body);
    default:
      return note(`unexpected message 00 ${hex2(operand)}`);
  }
}

async function join(room, name, token) {
  $("#join").hidden = true;
  $("#seat").hidden = false;
  status("connecting", "connecting…");
  seat.viewer = await loadViewer(room, new URLSearchParams(location.search).get("viewer"));
  if (!seat.viewer) $("#board-note").textContent ||= "no viewer for this game: states are shown as text or hex";
  open(room, name, token, 1);
}

/** Attempts to open the seat's WebSocket; one that never opens (a busy broker answers 503) is tried again. */
const OPEN_ATTEMPTS = 8;

function open(room, name, token, attempt) {
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`);
  ws.binaryType = "arraybuffer";
  seat.ws = ws;
  let opened = false;
  ws.onopen = () => {
    opened = true;
    ws.send(proto.botHello({ room, client: "bitbroker-play", clientVersion: VERSION, features: ["timing", "results"], token, human: true }));
    ws.send(proto.botName(name));
    status("joining", `joining room ${room || "default"} as ${name}`);
  };
  ws.onmessage = (event) => onMessage(new Uint8Array(event.data));
  ws.onclose = (event) => {
    if (!opened && attempt < OPEN_ATTEMPTS) {
      status("connecting", `connecting… (attempt ${attempt + 1})`);
      setTimeout(() => open(room, name, token, attempt + 1), Math.min(4000, 250 * 2 ** attempt));
      return;
    }
    stopClock("–");
    if (!seat.ended) status("closed", `connection closed (${event.code})`);
  };
}

function start() {
  const params = new URLSearchParams(location.search);
  // A token may come in the fragment (#token=…): it never reaches a server log.
  const token = new URLSearchParams(location.hash.slice(1)).get("token") ?? "";
  const form = $("#join");
  form.elements.room.value = params.get("room") ?? "";
  form.elements.name.value = params.get("name") ?? "";
  form.elements.token.value = token;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void join(form.elements.room.value.trim(), form.elements.name.value, form.elements.token.value);
  });
  $("#reply").addEventListener("submit", onTyped);
  $("#board").addEventListener("click", onClick);
  if (params.get("name")) void join(form.elements.room.value.trim(), form.elements.name.value, token);
}

start();
