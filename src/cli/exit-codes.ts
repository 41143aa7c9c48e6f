// CLI exit codes (issue 2): 0 ok, 1 findings/rejected, 2 usage or input error.
export const EXIT = {
  ok: 0,
  rejected: 1,
  usage: 2,
} as const;

/** Thrown by commands for bad arguments or unreadable input: exit 2 with the message. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Thrown by commands whose outcome is "findings/rejected" after output was printed: exit 1. */
export class RejectedError extends Error {
  override name = 'RejectedError';
}
