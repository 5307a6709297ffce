// The broker's domain events the fleet projection reads (src/broker/events.ts has them all).
// Pure; the broker never imports this folder.

/** The fields the fleet reads; the broker's events may carry more, and other types are ignored. */
export type FleetEvent =
  | { readonly type: "match_started"; readonly match: { readonly id: string; readonly room: string } }
  | { readonly type: "match_ended"; readonly matchId: string; readonly room: string; readonly code: string }
  /** SIGTERM with a drain: no new clients; running matches go on. */
  | { readonly type: "draining" }
  /** No more matches will be played (BROKER_MATCHES reached, or the drain is over). */
  | { readonly type: "finished" };
