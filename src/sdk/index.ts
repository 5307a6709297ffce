// The TypeScript SDK of BitBroker (the package's main entry): bots and games over protocol v1,
// using the broker's own codec (src/protocol). Re-exports only; no logic here.
export { BaseBot, runBot } from "./bot.ts";
export { BaseGame, runGame } from "./game.ts";
export { Action, GameSession, botJoin, botReply, botStep, type BotStep, type GameStep } from "./session.ts";
export { ProtoBot, ProtoGame, protoCodec, type Codec } from "./typed.ts";
export { SdkError, isMatchAborted, type SdkErrorCode } from "./errors.ts";
export type { ConnectOptions } from "./connection.ts";
export type { BotInfo } from "../protocol/index.ts";
