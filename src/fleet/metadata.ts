// What the broker publishes on its GameServer: labels (selectable, bounded, valid Kubernetes label
// values) and annotations (JSON detail). Pure: load in, key → value out; no I/O, no clock.

export type ServingState = "serving" | "draining" | "finished";

export interface RoomLoad {
  readonly running: number;
  readonly played: number;
}

export interface FleetLoad {
  readonly state: ServingState;
  /** Matches running now. */
  readonly running: number;
  /** Clients connected and not in a match (waiting in a lobby or queue). */
  readonly queued: number;
  /** Matches ended since start. */
  readonly played: number;
  readonly rooms: ReadonlyMap<string, RoomLoad>;
}

/**
 * Keys as the SDK takes them; Agones stores them as `agones.dev/sdk-<key>`. A key with its own
 * `/` is answered 200 by the sidecar and then lost in a cluster (with every later update of the
 * same kind), so keys are plain names (see isSdkKey).
 */
export const LABELS = {
  state: "bitbroker-state",
  running: "bitbroker-running",
  queued: "bitbroker-queued",
  rooms: "bitbroker-rooms",
} as const;

export const ANNOTATIONS = {
  load: "bitbroker-load",
  rooms: "bitbroker-rooms",
  version: "bitbroker-version",
} as const;

/** Rooms listed in the rooms annotation (busiest first); the rest are counted as omitted. */
export const ROOMS_LISTED_MAX = 64;
const ROOM_NAME_CHARS_MAX = 128;
const LABEL_VALUE_CHARS_MAX = 63;
/** `sdk-` + key is the name part of a Kubernetes key: at most 63 characters. */
const SDK_KEY_CHARS_MAX = 63 - "sdk-".length;
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A Kubernetes label value: empty, or ≤ 63 of [-A-Za-z0-9_.] beginning and ending alphanumeric. */
export function isLabelValue(value: string): boolean {
  return value === "" || (value.length <= LABEL_VALUE_CHARS_MAX && NAME.test(value));
}

/** A key that survives the `agones.dev/sdk-` prefix in a cluster: a plain name of ≤ 59 characters. */
export function isSdkKey(key: string): boolean {
  return key.length <= SDK_KEY_CHARS_MAX && NAME.test(key);
}

/** Any text made into a valid label value: other characters become `-`, cut to 63, trimmed. */
export function labelValue(text: string): string {
  const cut = text.replace(/[^-A-Za-z0-9_.]/g, "-").slice(0, LABEL_VALUE_CHARS_MAX);
  return cut.replace(/^[^A-Za-z0-9]+/, "").replace(/[^A-Za-z0-9]+$/, "");
}

/** A count as a label value. */
function count(n: number): string {
  return String(Math.max(0, Math.floor(n)));
}

export function labelsFor(load: FleetLoad): Record<string, string> {
  let roomsBusy = 0;
  for (const r of load.rooms.values()) if (r.running > 0) roomsBusy++;
  return {
    [LABELS.state]: load.state,
    [LABELS.running]: count(load.running),
    [LABELS.queued]: count(load.queued),
    [LABELS.rooms]: count(roomsBusy),
  };
}

export function annotationsFor(load: FleetLoad, version: string): Record<string, string> {
  const rooms = [...load.rooms.entries()].sort(([an, a], [bn, b]) => b.running - a.running || b.played - a.played || (an < bn ? -1 : an > bn ? 1 : 0));
  const listed = rooms.slice(0, ROOMS_LISTED_MAX).map(([name, r]) => ({ name: name.slice(0, ROOM_NAME_CHARS_MAX), running: r.running, played: r.played }));
  return {
    [ANNOTATIONS.load]: JSON.stringify({ state: load.state, running: load.running, queued: load.queued, played: load.played }),
    [ANNOTATIONS.rooms]: JSON.stringify({ rooms: listed, omitted: rooms.length - listed.length }),
    [ANNOTATIONS.version]: version,
  };
}
