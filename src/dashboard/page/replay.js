// Fetches a recorded match's replay as the broker's JSON view of its file
// (GET /matches/{id}/replay?format=json, docs/REPLAY.md): { match: {id, room, bots, gameClient},
// messages: [{t, dir, party, op: [opcode, operand], size, body (base64), cut}], end, damage },
// the live stream's message shape. null when the broker keeps no record of it (404).

export async function fetchReplay(id) {
  const r = await fetch(`/matches/${encodeURIComponent(id)}/replay?format=json`, { headers: { accept: "application/json" } });
  if (r.status === 404) return null;
  if (!r.ok) throw new Error(`GET replay: HTTP ${r.status}${await r.json().then((b) => `: ${b.error}`, () => "")}`);
  return await r.json();
}
