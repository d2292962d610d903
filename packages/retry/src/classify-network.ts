// Classifies transport errors. Node puts the errno name in `error.code`; undici uses UND_ERR_*
// codes and fetch() wraps them as TypeError('fetch failed', { cause }), so we follow `cause` a few levels.
import type { Outcome, ShouldRetry } from './types.js';

/** Errors after which an idempotent request may be retried. */
export const RETRYABLE_NETWORK_CODES: readonly string[] = Object.freeze([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Errors raised before the request could reach the server (the connection never opened), so even a
 * non-idempotent request is safe to retry. ECONNRESET/EPIPE/ETIMEDOUT are not here: the server may
 * have processed the request before the connection died.
 */
export const CONNECT_PHASE_CODES: readonly string[] = Object.freeze([
  'ECONNREFUSED',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const retryable = new Set(RETRYABLE_NETWORK_CODES);
const connectPhase = new Set(CONNECT_PHASE_CODES);

/** The first retryable network `code` found on the error or its `cause` chain (up to 4 levels). */
export function networkErrorCode(error: unknown): string | undefined {
  let e = error;
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && retryable.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export interface NetworkErrorOptions {
  /**
   * Whether the request may be repeated safely. Default true. When false only connect-phase errors
   * (CONNECT_PHASE_CODES) are retryable.
   */
  idempotent?: boolean;
}

export function isRetryableNetworkError(error: unknown, options: NetworkErrorOptions = {}): boolean {
  const code = networkErrorCode(error);
  if (code === undefined) return false;
  return options.idempotent === false ? connectPhase.has(code) : retryable.has(code);
}

/** A `shouldRetry` that retries retryable network errors and nothing else. */
export function networkErrors(options: NetworkErrorOptions = {}): ShouldRetry {
  const idempotent = options.idempotent !== false;
  const opts = { idempotent };
  return (outcome: Outcome<unknown>) => !outcome.ok && isRetryableNetworkError(outcome.error, opts);
}
