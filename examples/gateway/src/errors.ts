// The gateway's own errors. Each has a stable `code`, the Breakwater brand and an `instanceof` that
// checks brand + code, so it works across duplicate installs (the client's errors work the same way).

const brand = Symbol.for('breakwater.error');

function branded(value: unknown, code: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true &&
    (value as { code?: unknown }).code === code
  );
}

/** The request body is larger than `maxBodyBytes`: answered with 413. */
export class BodyTooLargeError extends Error {
  static readonly code = 'BREAKWATER_GATEWAY_BODY_TOO_LARGE';
  readonly code = 'BREAKWATER_GATEWAY_BODY_TOO_LARGE';
  readonly [brand] = true;
  override readonly name = 'BodyTooLargeError';
  readonly limit: number;

  constructor(limit: number) {
    super(`request body exceeds maxBodyBytes (${limit} bytes)`);
    this.limit = limit;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, BodyTooLargeError.code);
  }
}

/** The caller's own deadline (`x-breakwater-deadline-ms`) passed: answered with 504. */
export class InboundDeadlineError extends Error {
  static readonly code = 'BREAKWATER_GATEWAY_DEADLINE_EXCEEDED';
  readonly code = 'BREAKWATER_GATEWAY_DEADLINE_EXCEEDED';
  readonly [brand] = true;
  override readonly name = 'InboundDeadlineError';
  readonly deadlineMs: number;

  constructor(deadlineMs: number) {
    super(`the caller's deadline of ${deadlineMs} ms passed`);
    this.deadlineMs = deadlineMs;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, InboundDeadlineError.code);
  }
}

/** The downstream connection closed before the response was complete: the upstream call is cancelled. */
export class DownstreamClosedError extends Error {
  static readonly code = 'BREAKWATER_GATEWAY_DOWNSTREAM_CLOSED';
  readonly code = 'BREAKWATER_GATEWAY_DOWNSTREAM_CLOSED';
  readonly [brand] = true;
  override readonly name = 'DownstreamClosedError';

  constructor() {
    super('the downstream connection closed before the response was complete');
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, DownstreamClosedError.code);
  }
}

export const isBodyTooLargeError = (e: unknown): e is BodyTooLargeError => branded(e, BodyTooLargeError.code);
export const isInboundDeadlineError = (e: unknown): e is InboundDeadlineError =>
  branded(e, InboundDeadlineError.code);
export const isDownstreamClosedError = (e: unknown): e is DownstreamClosedError =>
  branded(e, DownstreamClosedError.code);
