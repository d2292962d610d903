// Classifies gRPC errors (grpc-js ServiceError: numeric `code`, `metadata` with get()). Follows
// gRPC proposal A6: a negative or malformed `grpc-retry-pushback-ms` forbids the retry; a valid one
// sets the delay. RESOURCE_EXHAUSTED is retried only when the server sent pushback, since without it
// retrying an overloaded server only adds load.
import { readHeader } from './headers.js';
import { GRPC_RETRY_PUSHBACK_HEADER, parseGrpcRetryPushback } from './pushback.js';
import type { Outcome, RetryDecision, ShouldRetry } from './types.js';

export const GrpcStatus = Object.freeze({
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const);

export interface GrpcRetryOptions {
  /** Status codes retried without pushback. Default [UNAVAILABLE]. */
  codes?: readonly number[];
}

/** Decision for one gRPC error (anything with a numeric `code` and optional `metadata`). */
export function classifyGrpcError(error: unknown, options: GrpcRetryOptions = {}): RetryDecision {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'number') return false;
  const pushback = parseGrpcRetryPushback(
    readHeader((error as { metadata?: unknown }).metadata, GRPC_RETRY_PUSHBACK_HEADER),
  );
  if (pushback === false) return false;
  if ((options.codes ?? [GrpcStatus.UNAVAILABLE]).includes(code)) return pushback ?? true;
  if (code === GrpcStatus.RESOURCE_EXHAUSTED && pushback !== undefined) return pushback;
  return false;
}

/** A `shouldRetry` for gRPC calls: results are final, errors are classified as above. */
export function grpcShouldRetry(options: GrpcRetryOptions = {}): ShouldRetry {
  const o = { ...options };
  return (outcome: Outcome<unknown>) => !outcome.ok && classifyGrpcError(outcome.error, o);
}
