/**
 * Leave to make one call, for callers that do their own I/O. Settle it exactly once with the
 * call's outcome and duration; later settles are no-ops.
 */
export interface Permit {
  /** The call succeeded (durationMs is used to detect slow calls). */
  success(durationMs: number): void;
  /** The call failed in a way that counts against the downstream. */
  failure(durationMs: number): void;
  /** The call's outcome says nothing about the downstream (e.g. the caller aborted): release, count nothing. */
  ignore(): void;
}
