// Bugs (STYLE: errors kind 4): assertions and exhaustive-switch guards.

export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** End every exhaustive switch with this; the compiler proves it unreachable. */
export function unreachable(value: never, what = 'value'): never {
  throw new AssertionError(`unreachable ${what}: ${JSON.stringify(value)}`);
}
