// Fetches and parses a recorded match's replay (GET /matches/{id}/replay, from the records
// feature). The one place that knows the replay format: adapt parseReplay when the format changes.
// Result: { match: {id, room, bots, gameClient}, messages: [{t, dir, party, op: [opcode, operand], size, body (base64)}] },
// or null when the broker keeps no record of it (404, or no records at all).

export async function fetchReplay(id) {
  const r = await fetch(`/matches/${encodeURIComponent(id)}/replay`);
  if (r.status === 404) return null;
  if (!r.ok) throw new Error(`GET replay: HTTP ${r.status}`);
  return parseReplay(id, await r.text());
}

/**
 * Reads either one JSON object `{match, messages: [...]}` or JSON Lines: a header line
 * `{"match": {...}}` (or the match itself) then one message per line. A message has
 * `t` (or `atMs`), `dir`, `party`, `opcode`/`operand` (or `op: [o, p]`) and `body` in base64.
 */
export function parseReplay(id, text) {
  let header;
  let lines;
  const trimmed = text.trim();
  if (trimmed === "") return null;
  try {
    const whole = JSON.parse(trimmed);
    header = whole.match ?? whole;
    lines = whole.messages ?? [];
  } catch {
    const rows = trimmed.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
    header = rows[0]?.match ?? rows[0] ?? {};
    lines = rows.slice(1);
  }
  const messages = lines.map((m) => {
    const op = m.op ?? [m.opcode ?? 0, m.operand ?? 0];
    const body = m.body ?? "";
    return { t: m.t ?? m.atMs ?? 0, dir: m.dir, party: m.party ?? -1, op, size: m.size ?? Math.floor((body.length * 3) / 4) - (body.endsWith("==") ? 2 : body.endsWith("=") ? 1 : 0), body, cut: false };
  });
  const bots = (header.bots ?? []).map((b) => (typeof b === "string" ? b : b.name));
  return { match: { id: header.id ?? id, room: header.room ?? "", bots, gameClient: header.game?.client ?? header.gameClient ?? "" }, messages };
}
