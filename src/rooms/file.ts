// BROKER_ROOMS_FILE: the rooms an operator declares, and their settings (PROTOCOL.md §5,
// README "Rooms"). TOML (.toml) or YAML (.yaml, .yml), parsed by Bun's built-in parsers.
// Pure apart from the parse: parseRoomsFile(text, name) lists every problem at once.
import type { RoomRules } from "../broker/types.ts";
import type { AskedTime } from "../protocol/index.ts";
import { parseSettingsFile } from "../settings-file.ts";

export interface RoomsFile {
  /** May a client's Hello name a room this file does not declare? (default true) */
  readonly onDemand: boolean;
  readonly rooms: ReadonlyMap<string, RoomRules>;
}

export type RoomsFileResult = { readonly kind: "rooms"; readonly file: RoomsFile } | { readonly kind: "errors"; readonly errors: readonly string[] };

const ROOM_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const TOP_KEYS = ["on_demand", "rooms"];

/** The broker's maximums a room's time rules are held to. */
export interface TimeMaximums {
  readonly moveMsMax: number;
  readonly bankMsMax: number;
}

/** Every setting a room may have, with its check. Later features add theirs here. */
function roomKeys(max: TimeMaximums): Readonly<Record<string, (v: unknown) => string | null>> {
  const ms = (top: number, env: string) => (v: unknown) => (isInt(v, 1, top) ? null : `must be a whole number of ms from 1 to ${top} (${env})`);
  return {
    bots: (v) => (isInt(v, 1, 255) ? null : "must be a whole number from 1 to 255"),
    queue_max: (v) => (isInt(v, 1, 1_000_000) ? null : "must be a whole number from 1 to 1000000"),
    record: (v) => (typeof v === "boolean" ? null : "must be true or false"),
    move_timeout_ms: ms(max.moveMsMax, "BROKER_MOVE_TIMEOUT_MS_MAX"),
    first_move_timeout_ms: ms(max.moveMsMax, "BROKER_MOVE_TIMEOUT_MS_MAX"),
    time_bank_ms: (v) => (isInt(v, 0, max.bankMsMax) ? null : `must be a whole number of ms from 0 to ${max.bankMsMax} (BROKER_TIME_BANK_MS_MAX)`),
    on_timeout: (v) => (v === "end" || v === "skip" ? null : 'must be "end" or "skip"'),
  };
}

const NO_MAXIMUMS: TimeMaximums = { moveMsMax: 24 * 3600 * 1000, bankMsMax: 24 * 3600 * 1000 };

/** Parses and checks a rooms file; `name` (its path) picks the format by extension. */
export function parseRoomsFile(text: string, name: string, max: TimeMaximums = NO_MAXIMUMS): RoomsFileResult {
  const ROOM_KEYS = roomKeys(max);
  const parsed = parseSettingsFile(text, name, "rooms file");
  if (parsed.kind === "errors") return parsed;
  const data = parsed.data;
  const errors: string[] = [];
  const top = data ?? {};
  if (!isTable(top)) return { kind: "errors", errors: [`${name}: the top level must be a table of settings`] };
  for (const key of Object.keys(top)) {
    if (!TOP_KEYS.includes(key)) errors.push(`${name}: unknown setting "${key}" (known: ${TOP_KEYS.join(", ")})`);
  }
  const onDemand = top.on_demand ?? true;
  if (typeof onDemand !== "boolean") errors.push(`${name}: on_demand must be true or false`);
  const rooms = new Map<string, RoomRules>();
  const declared = top.rooms ?? {};
  if (!isTable(declared)) {
    errors.push(`${name}: rooms must be a table of rooms by name`);
  } else {
    for (const [room, settings] of Object.entries(declared)) {
      const where = `${name}: room "${room}"`;
      if (!ROOM_NAME.test(room)) errors.push(`${where}: a room name is 1-64 characters of A-Z a-z 0-9 . _ -`);
      if (!isTable(settings)) {
        errors.push(`${where}: must be a table of settings`);
        continue;
      }
      for (const [key, value] of Object.entries(settings)) {
        const check = ROOM_KEYS[key];
        if (!check) errors.push(`${where}: unknown setting "${key}" (known: ${Object.keys(ROOM_KEYS).join(", ")})`);
        else {
          const problem = check(value);
          if (problem) errors.push(`${where}: ${key} ${problem}; got ${JSON.stringify(value)}`);
        }
      }
      if (settings.bots === undefined) errors.push(`${where}: bots (bots per match) is required`);
      rooms.set(room, {
        bots: Number(settings.bots),
        queueMax: settings.queue_max === undefined ? null : Number(settings.queue_max),
        record: typeof settings.record === "boolean" ? settings.record : null,
        time: roomTime(settings),
      });
    }
  }
  return errors.length > 0 ? { kind: "errors", errors } : { kind: "rooms", file: { onDemand: onDemand === true, rooms } };
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isInt(v: unknown, min: number, max: number): boolean {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}

/** A room's time rules, field by field (the file is checked before this is read). */
function roomTime(s: Record<string, unknown>): AskedTime | null {
  const t: { moveMs?: number; firstMoveMs?: number; bankMs?: number; onMiss?: "end" | "skip" } = {};
  if (typeof s.move_timeout_ms === "number") t.moveMs = s.move_timeout_ms;
  if (typeof s.first_move_timeout_ms === "number") t.firstMoveMs = s.first_move_timeout_ms;
  if (typeof s.time_bank_ms === "number") t.bankMs = s.time_bank_ms;
  if (s.on_timeout === "end" || s.on_timeout === "skip") t.onMiss = s.on_timeout;
  return Object.keys(t).length > 0 ? t : null;
}
