// Which time rules a match plays under (PROTOCOL.md §9.5): per field, the room's declaration,
// else the game's Hello, else the broker's defaults; a Hello is held to the broker's maximums.
// Pure.
import type { AskedTime, TimeRules } from "../protocol/index.ts";
import type { BrokerSettings } from "./types.ts";

/** The rules in force. SKIP only for a game that asked for "timing": it must understand a missed move. */
export function timeRules(settings: BrokerSettings, declared: AskedTime | null, asked: AskedTime | null, gameTiming: boolean): TimeRules {
  const moveMs = declared?.moveMs ?? asked?.moveMs ?? settings.moveTimeoutMs;
  const onMiss = declared?.onMiss ?? asked?.onMiss ?? "end";
  return {
    moveMs,
    firstMoveMs: declared?.firstMoveMs ?? asked?.firstMoveMs ?? moveMs,
    bankMs: declared?.bankMs ?? asked?.bankMs ?? 0,
    onMiss: gameTiming ? onMiss : "end",
  };
}

/** What is wrong with the time rules a game's Hello asks for, or null. */
export function askedTimeProblem(t: AskedTime, settings: BrokerSettings): string | null {
  const max = settings.moveTimeoutMsMax;
  for (const [name, ms] of [["move_ms", t.moveMs], ["first_move_ms", t.firstMoveMs]] as const) {
    if (ms === undefined) continue;
    if (ms === 0) return `${name} 0 (no deadline) is over this broker's longest move, ${max} ms (BROKER_MOVE_TIMEOUT_MS_MAX)`;
    if (ms > max) return `${name} ${ms} is over this broker's longest move, ${max} ms (BROKER_MOVE_TIMEOUT_MS_MAX)`;
  }
  if (t.bankMs !== undefined && t.bankMs > settings.timeBankMsMax) {
    return `bank_ms ${t.bankMs} is over this broker's largest time bank, ${settings.timeBankMsMax} ms (BROKER_TIME_BANK_MS_MAX)`;
  }
  return null;
}
