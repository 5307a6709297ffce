// The match view: every message of one match (followed live, or from its replay) as a row (time,
// direction, bot, codes, size, the body as text when it is UTF-8, else hex), and the state drawn
// by the game's viewer module (README "Game viewers") when there is one, else as text or hex.
const ROWS_MAX = 400;
const BODY_CHARS_MAX = 240;
const utf8 = new TextDecoder("utf-8", { fatal: true });
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const hex2 = (n) => n.toString(16).padStart(2, "0");

export function fromBase64(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The body as text when it is UTF-8 without control characters, else as hex. */
export function bodyText(bytes) {
  if (bytes.length === 0) return { kind: "empty", text: "" };
  try {
    const text = utf8.decode(bytes);
    if (!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) return { kind: "text", text };
  } catch {
    // not UTF-8: hex below
  }
  return { kind: "hex", text: Array.from(bytes.subarray(0, 256), hex2).join(" ") + (bytes.length > 256 ? " …" : "") };
}

/** Is this message a state for a bot (the game's 01 ii, or the broker's 02 xx to a bot)? */
const isState = (m) => (m.dir === "in" && m.party === -1 && m.op[0] === 1) || (m.dir === "out" && m.party >= 0 && m.op[0] === 2 && m.op[1] !== 0);
const isReply = (m) => m.dir === "in" && m.party >= 0 && m.op[0] === 2 && m.op[1] === 0;

export class MatchView {
  constructor(root) {
    this.root = root;
    this.canvas = root.querySelector("#board");
    this.note = root.querySelector("#board-note");
    this.tbody = root.querySelector("#messages tbody");
    this.viewer = null;
    this.bots = [];
    this.lastState = null;
    this.drawn = 0;
  }

  async reset(title, match) {
    this.root.hidden = false;
    this.root.querySelector("#match-title").textContent = title;
    this.tbody.innerHTML = "";
    this.bots = match?.bots ?? [];
    this.lastState = null;
    this.drawn = 0;
    this.canvas.dataset.drawn = "0";
    this.viewer = null;
    this.canvas.dataset.viewer = "";
    this.canvas.getContext("2d").clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.note.textContent = "";
    if (match) await this.loadViewer(match.room ?? "", match.gameClient ?? "");
  }

  async loadViewer(room, client) {
    try {
      const r = await fetch(`/ui/viewer-for?room=${encodeURIComponent(room)}&client=${encodeURIComponent(client)}`);
      const { viewer } = await r.json();
      if (viewer) {
        this.viewer = await import(`/ui/viewers/${encodeURIComponent(viewer)}.js`);
        this.canvas.dataset.viewer = viewer;
      }
    } catch (e) {
      this.note.textContent = `viewer not loaded: ${e.message ?? e}`;
    }
    this.canvas.hidden = this.viewer === null;
    if (!this.viewer) this.note.textContent ||= "no viewer for this game: states shown as text or hex";
  }

  async openLive(match) {
    await this.reset(`Match ${match.id} · ${match.room} · ${match.bots.join(" vs ")}`, match);
    this.setState("live", `following live since turn ${match.turns}`);
  }

  gone(info) {
    this.root.hidden = false;
    this.root.querySelector("#match-title").textContent = `Match ${info.id}`;
    this.setState("gone", info.code ? `not running: ended ${info.code}` : "not running");
  }

  loading(id) {
    void this.reset(`Replay ${id}`, null);
    this.setState("loading", "loading the replay…");
  }

  noRecords(id, why) {
    this.setState("no-records", `no records for match ${id}${why ? ` (${why})` : ""}`);
  }

  async openReplay(replay) {
    const m = replay.match;
    await this.reset(`Replay ${m.id} · ${m.room ?? ""} · ${(m.bots ?? []).join(" vs ")}`, m);
    this.add({ dropped: 0, messages: replay.messages });
    const e = replay.end;
    const end = e ? ` · ${e.code === "normal" ? "ended normally" : `ended: ${e.code} (${e.reason})`} after ${e.turns} turns${e.result?.summary ? ` · ${e.result.summary}` : ""}` : "";
    const damage = replay.damage ? ` · the file is cut or damaged: ${replay.damage}` : "";
    this.setState("replay", `replay: ${replay.messages.length} messages${end}${damage}`);
  }

  close() {
    this.root.hidden = true;
  }

  setState(state, text) {
    const p = this.root.querySelector("#match-state");
    p.dataset.state = state;
    p.textContent = text;
  }

  ended(info) {
    const cause = info.code === "normal" ? "ended normally" : `ended: ${info.code} (${info.reason})`;
    this.setState("ended", `${cause} after ${info.turns} turns${info.result ? ` · ${info.result.summary}` : ""}`);
  }

  add(batch) {
    if (batch.dropped > 0) this.row(`<td colspan="6" class="muted">${batch.dropped} messages not shown (too many at once)</td>`, null);
    for (const m of batch.messages) {
      const bytes = fromBase64(m.body);
      const who = m.party === -1 ? "game" : `bot ${m.party}`;
      const name = m.party >= 0 ? (this.bots[m.party] ?? "") : "";
      const dir = m.dir === "in" ? `${who} → broker` : `broker → ${who}`;
      const shown = this.describe(m, bytes);
      const body = shown.length > BODY_CHARS_MAX ? shown.slice(0, BODY_CHARS_MAX) + " …" : shown;
      const tr = this.row(
        `<td>${new Date(m.t).toISOString().slice(11, 23)}</td><td>${dir}</td><td>${esc(name)}</td><td>${hex2(m.op[0])} ${hex2(m.op[1])}</td><td class="num">${m.size}${m.cut ? "+" : ""}</td><td class="body">${esc(body)}</td>`,
        isState(m) ? bytes : null,
      );
      if (isState(m)) this.draw(bytes, tr);
      else if (isReply(m) && this.lastState && this.viewer?.advance) {
        const next = safe(() => this.viewer.advance(this.lastState, bytes));
        if (next instanceof Uint8Array) this.draw(next, null);
      }
    }
  }

  describe(m, bytes) {
    const kind = isState(m) ? "state" : isReply(m) ? "reply" : null;
    const text = kind && this.viewer?.describe ? safe(() => this.viewer.describe(bytes, kind)) : null;
    return typeof text === "string" ? text : bodyText(bytes).text;
  }

  row(html, state) {
    const tr = document.createElement("tr");
    tr.innerHTML = html;
    if (state) {
      tr.className = "state";
      tr.addEventListener("click", () => this.draw(state, tr));
    }
    this.tbody.append(tr);
    while (this.tbody.rows.length > ROWS_MAX) this.tbody.deleteRow(0);
    tr.scrollIntoView({ block: "nearest" });
    return tr;
  }

  /** Draws a state with the viewer; without one (or if it fails) the rows' text is the picture. */
  draw(state, tr) {
    this.lastState = state;
    if (!this.viewer) return;
    const ctx = this.canvas.getContext("2d");
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    const ok = safe(() => (this.viewer.draw(ctx, state, { width: this.canvas.width, height: this.canvas.height, bots: this.bots }), true));
    if (ok !== true) {
      this.note.textContent = "the viewer could not draw this state: see its text";
      return;
    }
    this.drawn++;
    this.canvas.dataset.drawn = String(this.drawn);
    for (const r of this.tbody.querySelectorAll("tr.shown")) r.classList.remove("shown");
    tr?.classList.add("shown");
  }
}

function safe(f) {
  try {
    return f();
  } catch {
    return null;
  }
}
