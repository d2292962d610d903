import type { FailReason } from './types.js';

const BRAND = Symbol.for('breakwater.error');

function isBranded(value: unknown, code: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true &&
    (value as { code?: unknown }).code === code
  );
}

/** A pick failed: the snapshot is empty, no endpoint is healthy (panic disabled), or the balancer is closed. */
export class NoEndpointsError extends Error {
  static readonly code = 'BREAKWATER_NO_ENDPOINTS';
  readonly code = NoEndpointsError.code;
  readonly [BRAND] = true;
  readonly reason: FailReason;

  constructor(reason: FailReason, service?: string, options?: { cause?: unknown }) {
    super(`no endpoint available${service ? ` for ${service}` : ''}: ${reason}`, options);
    this.name = 'NoEndpointsError';
    this.reason = reason;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return isBranded(value, NoEndpointsError.code);
  }
}

export function isNoEndpointsError(value: unknown): value is NoEndpointsError {
  return isBranded(value, NoEndpointsError.code);
}
