// Classifies HTTP outcomes: retryable statuses (429, 502, 503, 504 by default) are retried only for
// idempotent methods (RFC 9110 §9.2.2) unless the caller declares the request idempotent; a
// `Retry-After` on a retryable response becomes the delay (server pushback).
import { isRetryableNetworkError } from './classify-network.js';
import { readHeader } from './headers.js';
import { parseRetryAfter, RETRY_AFTER_HEADER } from './pushback.js';
import type { Clock, Outcome, RetryDecision, ShouldRetry } from './types.js';

export const IDEMPOTENT_METHODS: readonly string[] = Object.freeze([
  'GET',
  'HEAD',
  'OPTIONS',
  'TRACE',
  'PUT',
  'DELETE',
]);
export const RETRYABLE_STATUSES: readonly number[] = Object.freeze([429, 502, 503, 504]);

/** Anything with a status (`status` as fetch, `statusCode` as undici.request) and optional headers. */
export interface HttpResponseLike {
  status?: number;
  statusCode?: number;
  headers?: unknown;
}

export interface HttpRetryOptions {
  /** The request method. Unknown methods are treated as non-idempotent. */
  method?: string;
  /** Declares the request idempotent (e.g. a POST with an idempotency key). Default: from `method`. */
  idempotent?: boolean;
  /** Statuses to retry. Default RETRYABLE_STATUSES. */
  statuses?: readonly number[];
  /** Honour `Retry-After`. Default true. */
  retryAfter?: boolean;
  /** Wall clock for HTTP-date `Retry-After` values (epoch ms). Default `Date`. */
  wallClock?: Clock;
}

export function isIdempotentMethod(method: string | undefined): boolean {
  return method !== undefined && IDEMPOTENT_METHODS.includes(method.toUpperCase());
}

function statusOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { status, statusCode } = value as HttpResponseLike;
  if (typeof status === 'number') return status;
  return typeof statusCode === 'number' ? statusCode : undefined;
}

/** Decision for one response (or an error carrying a status and headers, as some clients throw). */
export function classifyHttpResponse(response: unknown, options: HttpRetryOptions = {}): RetryDecision {
  const status = statusOf(response);
  if (status === undefined) return false;
  if (!(options.statuses ?? RETRYABLE_STATUSES).includes(status)) return false;
  if (!(options.idempotent ?? isIdempotentMethod(options.method))) return false;
  if (options.retryAfter === false) return true;
  const headers = (response as HttpResponseLike).headers;
  const after = parseRetryAfter(readHeader(headers, RETRY_AFTER_HEADER), options.wallClock ?? Date);
  return after ?? true;
}

/**
 * A `shouldRetry` for HTTP: retryable responses as above, plus network errors (all retryable codes
 * when idempotent, connect-phase codes otherwise).
 */
export function httpShouldRetry(options: HttpRetryOptions = {}): ShouldRetry {
  const o = { ...options };
  const idempotent = o.idempotent ?? isIdempotentMethod(o.method);
  const net = { idempotent };
  return (outcome: Outcome<unknown>) => {
    if (outcome.ok) return classifyHttpResponse(outcome.value, o);
    if (statusOf(outcome.error) !== undefined) return classifyHttpResponse(outcome.error, o);
    return isRetryableNetworkError(outcome.error, net);
  };
}
