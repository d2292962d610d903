// The gateway's own errors. Each has a stable `code`, the Breakwater brand and an `instanceof` that
// checks brand + code, so it works across duplicate installs (as the client's errors do).

const brand = Symbol.for('breakwater.error');

function branded(value: unknown, code: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true &&
    (value as { code?: unknown }).code === code
  );
}

/** The brand, the code on class and instance, and an `instanceof` checking the subclass's code. */
abstract class GatewayError extends Error {
  static readonly code: string = '';
  abstract readonly code: string;
  readonly [brand] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: the subclass's code, on purpose
    const code = this.code;
    return code !== '' && branded(value, code);
  }
}

/** The request body is larger than `maxBodyBytes`: answered with 413. */
export class BodyTooLargeError extends GatewayError {
  static override readonly code = 'BREAKWATER_GATEWAY_BODY_TOO_LARGE';
  readonly code = BodyTooLargeError.code;
  override readonly name = 'BodyTooLargeError';
  readonly limit: number;

  constructor(limit: number) {
    super(`request body exceeds maxBodyBytes (${limit} bytes)`);
    this.limit = limit;
  }
}

/** The caller's own deadline (`x-breakwater-deadline-ms`) passed: answered with 504. */
export class InboundDeadlineError extends GatewayError {
  static override readonly code = 'BREAKWATER_GATEWAY_DEADLINE_EXCEEDED';
  readonly code = InboundDeadlineError.code;
  override readonly name = 'InboundDeadlineError';
  readonly deadlineMs: number;

  constructor(deadlineMs: number) {
    super(`the caller's deadline of ${deadlineMs} ms passed`);
    this.deadlineMs = deadlineMs;
  }
}

/** The downstream connection closed before the response was complete: the upstream call is cancelled. */
export class DownstreamClosedError extends GatewayError {
  static override readonly code = 'BREAKWATER_GATEWAY_DOWNSTREAM_CLOSED';
  readonly code = DownstreamClosedError.code;
  override readonly name = 'DownstreamClosedError';

  constructor() {
    super('the downstream connection closed before the response was complete');
  }
}

export const isBodyTooLargeError = (e: unknown): e is BodyTooLargeError => e instanceof BodyTooLargeError;
export const isInboundDeadlineError = (e: unknown): e is InboundDeadlineError =>
  e instanceof InboundDeadlineError;
export const isDownstreamClosedError = (e: unknown): e is DownstreamClosedError =>
  e instanceof DownstreamClosedError;
