// The TypeScript SDK of BitBroker (the package's main entry): bots and games over protocol v1,
// using the broker's own codec (src/protocol). Re-exports only; no logic here.
export { BaseBot, runBot, type BotOptions, type MoveClock } from "./bot.ts";
export { BaseGame, runGame, type GameOptions } from "./game.ts";
export { Action, GameSession, botJoin, botReply, botStep, type BotStep, type GameStep } from "./session.ts";
export { ProtoBot, ProtoGame, protoCodec, type Codec } from "./typed.ts";
export { SdkError, isBrokerShutdown, isMatchAborted, isRefused, type SdkErrorCode } from "./errors.ts";
export { DEFAULTS, stderrLog, type ConnectOptions, type SdkLog, type SdkLogLevel } from "./options.ts";
export type { TlsOptions } from "./tls.ts";
export type { AskedTime, BotInfo, MatchResult, MoveMissed, MoveTiming, TimeRules, TurnTiming, Welcome } from "../protocol/index.ts";
