// Who may join (PROTOCOL.md §9.6, README "Security"): BROKER_TOKEN (one shared secret) or
// BROKER_TOKENS_FILE (TOML or YAML: tokens per room and role, optionally bound to a bot name).
// Tokens are kept and compared as SHA-256 digests in constant time, and never logged.
import { createHash, timingSafeEqual } from "node:crypto";
import { parseSettingsFile } from "../settings-file.ts";

/** What the broker asks: may this client join? (Its token is never kept beyond the call.) */
export interface JoinRequest {
  readonly token: string;
  readonly room: string;
  readonly role: "game" | "bot";
  readonly name: string;
}

interface Rule {
  readonly digest: Buffer;
  /** Room names, or "*" for every room. */
  readonly rooms: readonly string[];
  readonly roles: readonly ("game" | "bot")[];
  /** A bot bound to this name only (null: any name). */
  readonly name: string | null;
}

export interface TokenRules {
  /** May anyone join a room that no rule names? */
  readonly openRooms: boolean;
  readonly rules: readonly Rule[];
}

export const OPEN: TokenRules = { openRooms: true, rules: [] };

const digest = (token: string): Buffer => createHash("sha256").update(token, "utf8").digest();

/** BROKER_TOKEN: one secret for every room and role. */
export function sharedToken(token: string): TokenRules {
  return { openRooms: false, rules: [{ digest: digest(token), rooms: ["*"], roles: ["game", "bot"], name: null }] };
}

/** The authorizer the broker calls; its rules can be replaced (SIGHUP) without touching a match. */
export class Tokens {
  constructor(private current: TokenRules) {}

  replace(rules: TokenRules): void {
    this.current = rules;
  }

  get required(): boolean {
    return !this.current.openRooms || this.current.rules.length > 0;
  }

  allows(req: JoinRequest): boolean {
    const { openRooms, rules } = this.current;
    const forRoom = rules.filter((r) => r.rooms.includes("*") || r.rooms.includes(req.room));
    if (forRoom.length === 0) return openRooms;
    const given = digest(req.token);
    let ok = false;
    // Every rule of the room is compared, whatever the outcome: the time says nothing of which.
    for (const r of forRoom) {
      const tokenOk = timingSafeEqual(given, r.digest);
      const fits = r.roles.includes(req.role) && (r.name === null || req.role !== "bot" || r.name === req.name);
      ok = (tokenOk && fits) || ok;
    }
    return ok;
  }
}

export type TokensFileResult = { readonly kind: "rules"; readonly rules: TokenRules } | { readonly kind: "errors"; readonly errors: readonly string[] };

const ROOM_NAME = /^([A-Za-z0-9._-]{1,64}|\*)$/;
const KEYS = ["token", "token_sha256", "rooms", "roles", "name"];

/** Parses and checks a tokens file (every problem at once); `name` picks TOML or YAML. */
export function parseTokensFile(text: string, name: string): TokensFileResult {
  const parsed = parseSettingsFile(text, name, "tokens file");
  if (parsed.kind === "errors") return parsed;
  const data = parsed.data;
  const errors: string[] = [];
  const top = (data ?? {}) as Record<string, unknown>;
  if (typeof top !== "object" || Array.isArray(top)) return { kind: "errors", errors: [`${name}: the top level must be a table`] };
  for (const key of Object.keys(top)) {
    if (key !== "open_rooms" && key !== "token") errors.push(`${name}: unknown setting "${key}" (known: open_rooms, token)`);
  }
  const openRooms = top.open_rooms ?? false;
  if (typeof openRooms !== "boolean") errors.push(`${name}: open_rooms must be true or false`);
  const list = top.token ?? [];
  if (!Array.isArray(list)) return { kind: "errors", errors: [...errors, `${name}: token must be a list of tables ([[token]] in TOML)`] };
  const rules: Rule[] = [];
  list.forEach((entry: unknown, i: number) => {
    const where = `${name}: token #${i + 1}`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return void errors.push(`${where}: must be a table`);
    const e = entry as Record<string, unknown>;
    for (const key of Object.keys(e)) if (!KEYS.includes(key)) errors.push(`${where}: unknown setting "${key}" (known: ${KEYS.join(", ")})`);
    let d: Buffer | null = null;
    if (typeof e.token === "string" && e.token.length >= 8 && e.token_sha256 === undefined) d = digest(e.token);
    else if (typeof e.token_sha256 === "string" && /^[0-9a-f]{64}$/i.test(e.token_sha256) && e.token === undefined) d = Buffer.from(e.token_sha256, "hex");
    else errors.push(`${where}: give exactly one of token (8 characters or more) or token_sha256 (64 hex digits)`);
    const rooms = e.rooms ?? ["*"];
    if (!Array.isArray(rooms) || rooms.length === 0 || !rooms.every((r) => typeof r === "string" && ROOM_NAME.test(r))) {
      errors.push(`${where}: rooms must be a list of room names (or "*")`);
    }
    const roles = e.roles ?? ["game", "bot"];
    if (!Array.isArray(roles) || roles.length === 0 || !roles.every((r) => r === "game" || r === "bot")) {
      errors.push(`${where}: roles must be a list of "game" and/or "bot"`);
    }
    if (e.name !== undefined && typeof e.name !== "string") errors.push(`${where}: name must be a bot's name`);
    if (d) rules.push({ digest: d, rooms: rooms as string[], roles: roles as ("game" | "bot")[], name: typeof e.name === "string" ? e.name : null });
  });
  return errors.length > 0 ? { kind: "errors", errors } : { kind: "rules", rules: { openRooms: openRooms === true, rules } };
}
