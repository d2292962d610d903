// gRPC status → the balancer's attempt outcome and the service's call outcome. Codes that describe
// the request (INVALID_ARGUMENT, NOT_FOUND…) are successes of the server, as 4xx are for HTTP.
import type { Outcome } from '@breakwater/loadbalance';
import type { CallOutcome } from '../core/metrics.js';

// 0 OK, 1 CANCELLED, 2 UNKNOWN, 3 INVALID_ARGUMENT, 4 DEADLINE_EXCEEDED, 5 NOT_FOUND, 6 ALREADY_EXISTS,
// 7 PERMISSION_DENIED, 8 RESOURCE_EXHAUSTED, 9 FAILED_PRECONDITION, 10 ABORTED, 11 OUT_OF_RANGE,
// 12 UNIMPLEMENTED, 13 INTERNAL, 14 UNAVAILABLE, 15 DATA_LOSS, 16 UNAUTHENTICATED
const SERVER_FAULT = new Uint8Array(17);
for (const c of [2, 8, 13, 14, 15]) SERVER_FAULT[c] = 1;

/** Outcome of one attempt for the balancer, outlier detection and the endpoint breaker. */
export function attemptOutcome(code: number, cancelled: boolean): Outcome {
  if (code === 0) return 'success';
  if (cancelled || code === 1) return 'cancelled';
  if (code === 14) return 'gateway-error';
  if (code === 4) return 'local-origin-error';
  return SERVER_FAULT[code] === 1 ? 'error' : 'success';
}

/** Outcome of a logical call for the service breaker and metrics. */
export function callOutcome(code: number, cancelled: boolean): CallOutcome {
  if (code === 0) return 'success';
  if (cancelled || code === 1) return 'cancelled';
  if (code === 4) return 'deadline';
  return SERVER_FAULT[code] === 1 ? 'server_error' : 'success';
}
