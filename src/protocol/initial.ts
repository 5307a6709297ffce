// The broker's protobuf bodies (proto/initial.proto): a bot's name (00 22) and the batch (00 11).
// The schema text is bundled at build time, so the compiled binary reads no file. Pure.
import protobuf from "protobufjs";
import schema from "../../proto/initial.proto" with { type: "text" };
import { decodeOrThrow } from "./errors.ts";
import { Control, Opcode, message, type Message } from "./message.ts";

/** One bot as the game learns it: its index (0-based seat order) and its name. */
export interface BotInfo {
  readonly index: number;
  readonly name: string;
}

const root = protobuf.parse(schema, { keepCase: true }).root;
const InitialMessage = root.lookupType("bitbroker.initial.InitialMessageProto");
const InitialBatch = root.lookupType("bitbroker.initial.InitialMessageBatchProto");

interface InitialFields {
  botIndex?: number;
  botName?: string;
}

/** Body of a bot's 00 22: `InitialMessageProto{botName}` (botIndex 0, so absent). */
export function encodeBotName(name: string): Uint8Array {
  return InitialMessage.encode(InitialMessage.create({ botName: name })).finish();
}

/** Bot → broker: its name (00 22), the line after its hello. */
export function botName(name: string): Message {
  return message(Opcode.control, Control.botName, encodeBotName(name));
}

export function decodeBotName(body: Uint8Array): string {
  return decodeOrThrow(() => (InitialMessage.decode(body) as InitialFields).botName ?? "", "bot name");
}

/** Body of the 00 11 batch, entries in index order (PROTOCOL.md §4). */
export function encodeBatch(bots: readonly BotInfo[]): Uint8Array {
  const initialMessages = bots.map((b) => InitialMessage.create({ botIndex: b.index, botName: b.name }));
  return InitialBatch.encode(InitialBatch.create({ initialMessages })).finish();
}

export function decodeBatch(body: Uint8Array): BotInfo[] {
  return decodeOrThrow(() => {
    const batch = InitialBatch.decode(body) as { initialMessages?: InitialFields[] };
    return (batch.initialMessages ?? []).map((m) => ({ index: m.botIndex ?? 0, name: m.botName ?? "" }));
  }, "bot batch");
}
