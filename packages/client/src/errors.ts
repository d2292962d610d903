// One class per error, each with a stable `code` and a cross-install brand: `instanceof` checks
// brand + code (as undici's UND_ERR_* errors), so duplicate installs agree. Errors describing a
// logical call carry its service, the endpoints tried, the attempts made and the deadline.

const brand = Symbol.for('breakwater.error');

function branded(value: unknown, code: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true &&
    (value as { code?: unknown }).code === code
  );
}

/**
 * The client's errors: a stable `code` on the class and the instance, the cross-install brand, and an
 * `instanceof` that checks brand + the subclass's code.
 */
abstract class ClientError extends Error {
  static readonly code: string = '';
  abstract readonly code: string;
  readonly [brand] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    // `this` is the subclass being tested against, so its own code is checked.
    // biome-ignore lint/complexity/noThisInStatic: the subclass's code, on purpose
    const code = this.code;
    return code !== '' && branded(value, code);
  }
}

/** What happened to one logical call; attached to every call-level error. */
export interface CallReport {
  /** The logical service (the URL host). */
  readonly service: string;
  /** Attempts started (hedges included). */
  readonly attempts: number;
  /** Ids of the endpoints tried, in order (with repeats). */
  readonly endpoints: readonly string[];
  /** The total timeout of the call in ms (Infinity = none). */
  readonly timeoutMs: number;
  /** ms from the start of the call to the error. */
  readonly elapsedMs: number;
}

const noReport = (service: string): CallReport =>
  Object.freeze({ service, attempts: 0, endpoints: [], timeoutMs: Number.POSITIVE_INFINITY, elapsedMs: 0 });

function describe(r: CallReport): string {
  const tried = r.endpoints.length === 0 ? 'none' : r.endpoints.join(', ');
  const deadline = Number.isFinite(r.timeoutMs) ? `, deadline ${r.timeoutMs} ms` : '';
  return `service ${r.service}: ${r.attempts} attempt(s), endpoints tried: ${tried}${deadline}, after ${Math.round(r.elapsedMs)} ms`;
}

/** Why the client stopped trying. */
export type GiveUpReason = 'not-retryable' | 'attempts-exhausted' | 'budget-exhausted' | 'deadline-too-close';

/** The call failed without a usable response: its last attempt's error is the `cause`. */
export class RequestFailedError extends ClientError {
  static override readonly code = 'BREAKWATER_REQUEST_FAILED';
  readonly code = 'BREAKWATER_REQUEST_FAILED';
  override readonly name = 'RequestFailedError';
  readonly reason: GiveUpReason;
  readonly report: CallReport;
  readonly service: string;

  constructor(reason: GiveUpReason, report: CallReport, cause: unknown) {
    const inner = cause instanceof Error ? cause.message : String(cause);
    super(`Request failed (${reason}): ${inner}; ${describe(report)}`, { cause });
    this.reason = reason;
    this.report = report;
    this.service = report.service;
  }
}

/** The call's total timeout (deadline) passed. Same code as `@breakwater/retry`'s error. */
export class DeadlineExceededError extends ClientError {
  static override readonly code = 'BREAKWATER_DEADLINE_EXCEEDED';
  readonly code = 'BREAKWATER_DEADLINE_EXCEEDED';
  override readonly name = 'DeadlineExceededError';
  readonly report: CallReport;
  readonly service: string;

  constructor(report: CallReport, cause?: unknown) {
    super(`Deadline exceeded; ${describe(report)}`, cause === undefined ? undefined : { cause });
    this.report = report;
    this.service = report.service;
  }
}

/** One attempt took longer than `perTryTimeoutMs` to answer (the abort reason of that attempt). */
export class PerTryTimeoutError extends ClientError {
  static override readonly code = 'BREAKWATER_PER_TRY_TIMEOUT';
  readonly code = 'BREAKWATER_PER_TRY_TIMEOUT';
  override readonly name = 'PerTryTimeoutError';
  readonly endpoint: string;
  readonly timeoutMs: number;

  constructor(endpoint: string, timeoutMs: number) {
    super(`Attempt to ${endpoint} timed out after ${timeoutMs} ms`);
    this.endpoint = endpoint;
    this.timeoutMs = timeoutMs;
  }
}

/** No endpoint could take the call: none known, none healthy, or every pick refused by its breaker. */
export class NoEndpointsError extends ClientError {
  static override readonly code = 'BREAKWATER_NO_ENDPOINTS';
  readonly code = 'BREAKWATER_NO_ENDPOINTS';
  override readonly name = 'NoEndpointsError';
  /** 'no-endpoints', 'no-healthy-endpoints', 'closed' (balancer), or 'circuit-open' (every pick refused). */
  readonly reason: string;
  readonly report: CallReport;
  readonly service: string;

  constructor(reason: string, report: CallReport, cause?: unknown) {
    super(
      `No endpoint available (${reason}); ${describe(report)}`,
      cause === undefined ? undefined : { cause },
    );
    this.reason = reason;
    this.report = report;
    this.service = report.service;
  }
}

/** The URL's host is not a known service and `unknownHosts` is 'refuse'. */
export class UnknownServiceError extends ClientError {
  static override readonly code = 'BREAKWATER_UNKNOWN_SERVICE';
  readonly code = 'BREAKWATER_UNKNOWN_SERVICE';
  override readonly name = 'UnknownServiceError';
  readonly host: string;
  readonly service: string;

  constructor(host: string) {
    super(`Refused: ${host} is not a registered service (unknownHosts: 'refuse')`);
    this.host = host;
    this.service = host;
  }
}

/** The client was closed: the call was refused or cut short. */
export class ClientClosedError extends ClientError {
  static override readonly code = 'BREAKWATER_CLIENT_CLOSED';
  readonly code = 'BREAKWATER_CLIENT_CLOSED';
  override readonly name = 'ClientClosedError';
  readonly service: string;

  constructor(service: string) {
    super(`The Breakwater client is closed (service ${service})`);
    this.service = service;
  }
}

export const isRequestFailedError = (e: unknown): e is RequestFailedError =>
  branded(e, RequestFailedError.code);
export const isDeadlineExceededError = (e: unknown): e is DeadlineExceededError =>
  branded(e, DeadlineExceededError.code);
export const isPerTryTimeoutError = (e: unknown): e is PerTryTimeoutError =>
  branded(e, PerTryTimeoutError.code);
export const isNoEndpointsError = (e: unknown): e is NoEndpointsError => branded(e, NoEndpointsError.code);
export const isUnknownServiceError = (e: unknown): e is UnknownServiceError =>
  branded(e, UnknownServiceError.code);
export const isClientClosedError = (e: unknown): e is ClientClosedError => branded(e, ClientClosedError.code);

// A lost hedge is the retry package's error (same code); re-exported so users need one import.
export { HedgeLostError, isHedgeLostError } from '@breakwater/retry';
export { noReport };
