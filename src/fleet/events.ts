// The broker's domain events the fleet projection reads, and a stopgap that derives them from
// today's broker commands (its log lines). Pure; the broker never imports this folder.
import type { Command, Snapshot } from "../broker/types.ts";

/** The fields the fleet reads; the broker's events may carry more, and other types are ignored. */
export type FleetEvent =
  | { readonly type: "match_started"; readonly match: { readonly id: string; readonly room: string } }
  | { readonly type: "match_ended"; readonly matchId: string; readonly room: string; readonly code: string }
  /** SIGTERM with a drain: no new clients; running matches go on. */
  | { readonly type: "draining" }
  /** No more matches will be played (BROKER_MATCHES reached, or the drain is over). */
  | { readonly type: "finished" };

/** Room of every match until the broker has rooms. */
export const DEFAULT_ROOM = "default";

/**
 * Until the broker emits domain events beside its commands, they are read off the commands it
 * already returns: its "match started" / "match ended" / "shutting down" log lines and its
 * `finished` command. Delete this once the transport hands the broker's own events to projections.
 */
export function eventsFromCommands(commands: readonly Command[]): FleetEvent[] {
  const events: FleetEvent[] = [];
  for (const c of commands) {
    if (c.kind === "finished") {
      events.push({ type: "finished" });
    } else if (c.kind === "log") {
      if (c.event === "match started") {
        events.push({ type: "match_started", match: { id: String(c.fields.match), room: DEFAULT_ROOM } });
      } else if (c.event === "match ended") {
        const code = c.fields.cause === "the game ended the match" ? "ended" : "aborted";
        events.push({ type: "match_ended", matchId: String(c.fields.match), room: DEFAULT_ROOM, code });
      } else if (c.event === "shutting down") {
        events.push({ type: "draining" });
      }
    }
  }
  return events;
}

/** Clients connected and not in a match, from today's snapshot (one match of botsExpected + 1 at most). */
export function queuedFromSnapshot(s: Snapshot): number {
  return Math.max(0, s.connections - (s.phase === "running" ? s.botsExpected + 1 : 0));
}
