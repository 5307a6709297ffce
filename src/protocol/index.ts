// The v1 protocol in one import: framing, envelope, protobuf bodies, errors. Pure.
export * from "./errors.ts";
export * from "./message.ts";
export * from "./lines.ts";
export { bodyBytes } from "./line-message.ts";
export * from "./frames.ts";
export * from "./envelopes.ts";
export * from "./initial.ts";
export * from "./arena.ts";
export * from "./timing.ts";
export * from "./reasons.ts";
