// Loads the golden vectors (test/vectors/v1.json) for the TypeScript suites.
import vectors from "./v1.json" with { type: "json" };

export interface MessageVector {
  readonly name: string;
  readonly direction: string;
  readonly hex: string;
  readonly line: string;
  readonly opcode: number;
  readonly operand: number;
  readonly body_hex: string;
  readonly meaning: string;
  readonly proto?: {
    readonly type: string;
    readonly value: {
      readonly botIndex?: number;
      readonly botName?: string;
      readonly initialMessages?: ReadonlyArray<{ readonly botIndex: number; readonly botName: string }>;
    };
  };
}

export interface InvalidLineVector {
  readonly name: string;
  readonly line: string;
  readonly error: string;
  readonly meaning: string;
}

export const messageVectors: readonly MessageVector[] = vectors.messages;
export const invalidLineVectors: readonly InvalidLineVector[] = vectors.invalid_lines;

export const fromHex = (hex: string): Uint8Array => Uint8Array.fromHex(hex);
