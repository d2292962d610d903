// Failures the pipeline itself decides (no endpoint, open breaker, full bulkhead, closed client,
// deadline while waiting) reach the caller the way grpc-js reports a failed call: an Error with a
// numeric gRPC `code`, `details` and `metadata` (a grpc-js ServiceError), so code written for
// grpc-js keeps working; the Breakwater error is its `cause`.
import { Metadata, type ServiceError, status } from '@grpc/grpc-js';

export function serviceError(code: status, details: string, cause?: unknown): ServiceError {
  const err = new Error(`${code} ${status[code]}: ${details}`, cause === undefined ? undefined : { cause });
  return Object.assign(err, { code, details, metadata: new Metadata() });
}

/** A grpc-js style error from a call's status. */
export function errorFromStatus(s: { code: number; details: string; metadata: Metadata }): ServiceError {
  const err = new Error(`${s.code} ${status[s.code] ?? 'UNKNOWN'}: ${s.details}`);
  return Object.assign(err, { code: s.code, details: s.details, metadata: s.metadata });
}
