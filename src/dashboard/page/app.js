// The dashboard page: one server-sent event stream (/ui/events) for rooms, running and ended
// matches (a summary once a second), and, while a match is followed, its messages. Recorded
// matches open from their replay; the leaderboard comes from GET /leaderboard when the broker
// keeps records. Plain ES module, no build step: the broker serves it as it is.
import { MatchView } from "/ui/match.js";
import { fetchReplay } from "/ui/replay.js";

const $ = (sel) => document.querySelector(sel);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const shortId = (id) => `<code title="${esc(id)}">${esc(id.slice(0, 8))}…${esc(id.slice(-4))}</code>`;
const clock = (ms) => new Date(ms).toLocaleTimeString();
/** The mark of a seat a person plays (the /play page's Hello says `human`). */
const PERSON = ` <span class="human" title="a person plays this seat">(person)</span>`;

let source = null;
let following = null;
const view = new MatchView($("#match"));

/** A think-time sparkline (SVG), scaled to the largest of its points. */
function sparkline(points) {
  if (points.length === 0) return `<svg class="spark"></svg>`;
  if (points.length === 1) points = [points[0], points[0]]; // one move: a flat line, not an invisible point
  const max = Math.max(...points, 0.001);
  const step = points.length > 1 ? 80 / (points.length - 1) : 0;
  const xy = points.map((v, i) => `${(i * step).toFixed(1)},${(17 - (v / max) * 16).toFixed(1)}`).join(" ");
  const last = points[points.length - 1];
  return `<svg class="spark" viewBox="0 0 80 18"><title>last ${last} ms, max ${max} ms</title><polyline points="${xy}"/></svg>`;
}

function renderSummary(s) {
  offerRooms(s);
  const st = s.status;
  const status = $("#status");
  status.dataset.phase = st.phase;
  status.textContent = `${st.phase} · ${st.connections} connections · ${st.matchesRunning} running · ${st.matchesPlayed} played (${st.matchesAborted} aborted)`;
  $("#rooms tbody").innerHTML = s.rooms
    .map((r) => `<tr data-room="${esc(r.name)}"><td>${esc(r.name)}${r.declared ? "" : ' <span class="muted">(on demand)</span>'}</td><td class="num">${r.botsPerMatch}</td><td class="num">${r.gamesWaiting}</td><td class="num">${r.botsWaiting}</td><td class="num">${r.matchesRunning}</td></tr>`)
    .join("");
  $("#running-count").textContent = s.running.total > s.running.rows.length ? `(newest ${s.running.rows.length} of ${s.running.total})` : `(${s.running.total})`;
  $("#running tbody").innerHTML = s.running.rows
    .map((m) => {
      const bots = m.bots.map((b, i) => `<span class="bot">${esc(b)}${m.humans?.[i] ? PERSON : ""} ${sparkline(m.think[i] ?? [])}</span>`).join("");
      return `<tr data-id="${esc(m.id)}"><td>${shortId(m.id)}</td><td>${esc(m.room)}</td><td>${bots}</td><td class="num turns">${m.turns}</td><td class="num">${m.turnsPerSecond}</td><td><a href="#match=${encodeURIComponent(m.id)}">watch</a></td></tr>`;
    })
    .join("");
  $("#ended tbody").innerHTML = s.ended
    .map((m) => {
      const cause = m.code === "normal" ? `<span class="code-normal">normal</span>` : `<span class="code-abnormal" title="${esc(m.reason)}">${esc(m.code)}</span>`;
      return `<tr data-id="${esc(m.id)}"><td>${shortId(m.id)}</td><td>${esc(m.room)}</td><td>${m.bots.map(esc).join(", ")}</td><td class="cause">${cause}</td><td class="result">${resultText(m.result, m.bots)}</td><td class="num">${m.turns}</td><td>${clock(m.endedAt)}</td><td><a href="#replay=${encodeURIComponent(m.id)}">replay</a></td></tr>`;
    })
    .join("");
}

function resultText(result, bots) {
  if (!result) return `<span class="muted">—</span>`;
  const seats = result.seats
    .map((s) => `${esc(bots[s.index] ?? `bot ${s.index}`)}${s.rank !== undefined ? ` #${s.rank}` : ""}${s.score !== undefined ? ` (${s.score})` : ""}`)
    .join(", ");
  return esc(result.summary) + (seats ? ` <span class="muted">${seats}</span>` : "");
}

/** Opens the stream: the summary, and the followed match's messages when there is one. */
function connect(follow) {
  if (source) source.close();
  following = follow;
  source = new EventSource(follow ? `/ui/events?follow=${encodeURIComponent(follow)}` : "/ui/events");
  source.addEventListener("summary", (e) => renderSummary(JSON.parse(e.data)));
  source.addEventListener("match", (e) => view.openLive(JSON.parse(e.data)));
  source.addEventListener("messages", (e) => view.add(JSON.parse(e.data)));
  source.addEventListener("ended", (e) => view.ended(JSON.parse(e.data)));
  source.addEventListener("gone", (e) => view.gone(JSON.parse(e.data)));
  source.onerror = () => {
    $("#status").textContent = "disconnected: retrying…";
  };
}

async function openReplay(id) {
  view.loading(id);
  try {
    const replay = await fetchReplay(id);
    if (replay === null) view.noRecords(id);
    else await view.openReplay(replay);
  } catch (e) {
    view.noRecords(id, String(e.message ?? e));
  }
}

/** The rooms the leaderboard can show: the one shown, "default", and every room the summary names. */
function offerRooms(s) {
  const select = $("#board-room");
  const names = new Set([select.value || "default", "default", ...s.rooms.map((r) => r.name), ...s.running.rows.map((m) => m.room), ...s.ended.map((m) => m.room)]);
  const sorted = [...names].sort();
  if (sorted.join("\n") === [...select.options].map((o) => o.value).join("\n")) return;
  const chosen = select.value || "default";
  select.innerHTML = sorted.map((n) => `<option value="${esc(n)}"${n === chosen ? " selected" : ""}>${esc(n)}</option>`).join("");
}

/** GET /leaderboard?room= for the chosen room: rank, name (a person's marked), rating, record. */
async function loadLeaderboard() {
  const box = $("#leaderboard");
  const room = $("#board-room").value || "default";
  try {
    const r = await fetch(`/leaderboard?room=${encodeURIComponent(room)}`, { headers: { accept: "application/json" } });
    const rows = r.ok ? ((await r.json())?.bots ?? []) : [];
    box.dataset.room = room;
    if (rows.length === 0) {
      box.innerHTML = `<p class="muted">no records${r.ok ? ` in room ${esc(room)}` : ""}</p>`;
      return;
    }
    const num = (v) => `<td class="num">${esc(v)}</td>`;
    box.innerHTML = `<table><thead><tr><th>#</th><th>name</th><th>rating</th><th>matches</th><th>wins</th><th>draws</th><th>losses</th></tr></thead><tbody>${rows
      .map((b, i) => `<tr data-name="${esc(b.name)}">${num(i + 1)}<td>${esc(b.name)}${b.human ? PERSON : ""}</td>${[b.rating, b.matches, b.wins, b.draws, b.losses].map(num).join("")}</tr>`)
      .join("")}</tbody></table>`;
  } catch {
    box.innerHTML = `<p class="muted">no records</p>`;
  }
}

function route() {
  const hash = new URLSearchParams(location.hash.slice(1));
  const match = hash.get("match");
  const replay = hash.get("replay");
  if (match) {
    if (following !== match) connect(match);
  } else {
    if (following !== null || source === null) connect(null);
    if (replay) void openReplay(replay);
    else view.close();
  }
}

$("#match-close").addEventListener("click", (e) => {
  e.preventDefault();
  location.hash = "";
});
window.addEventListener("hashchange", route);
route();
$("#board-room").addEventListener("change", () => void loadLeaderboard());
void loadLeaderboard();
setInterval(loadLeaderboard, 15000);
