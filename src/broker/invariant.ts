// Bugs, the fourth kind of error (STYLE.md): a false invariant crashes loudly, never silently.
export class InvariantError extends Error {
  override readonly name = "InvariantError";
}

export function invariant(condition: unknown, what: string): asserts condition {
  if (!condition) throw new InvariantError(`invariant failed: ${what}`);
}
