export {
  type Backoff,
  type BackoffIterator,
  type CustomBackoffOptions,
  constant,
  custom,
  type ExponentialBackoffOptions,
  exponential,
  immediate,
  type Jitter,
} from './backoff.js';
export {
  classifyGrpcError,
  type GrpcRetryOptions,
  GrpcStatus,
  grpcShouldRetry,
} from './classify-grpc.js';
export {
  classifyHttpResponse,
  type HttpResponseLike,
  type HttpRetryOptions,
  httpShouldRetry,
  IDEMPOTENT_METHODS,
  isIdempotentMethod,
  RETRYABLE_STATUSES,
} from './classify-http.js';
export {
  CONNECT_PHASE_CODES,
  isRetryableNetworkError,
  type NetworkErrorOptions,
  networkErrorCode,
  networkErrors,
  RETRYABLE_NETWORK_CODES,
} from './classify-network.js';
export { Deadline } from './deadline.js';
export {
  DeadlineExceededError,
  HedgeLostError,
  isDeadlineExceededError,
  isHedgeLostError,
  isRetriesExhaustedError,
  isRetryBudgetExhaustedError,
  RetriesExhaustedError,
  RetryBudgetExhaustedError,
} from './errors.js';
export { readHeader } from './headers.js';
export { type AdaptiveHedgeDelay, HedgePolicy, type HedgePolicyOptions, hedge } from './hedge-policy.js';
export { LatencyTracker } from './latency-tracker.js';
export {
  GRPC_RETRY_PUSHBACK_HEADER,
  parseGrpcRetryPushback,
  parseHttpDate,
  parseRetryAfter,
  RETRY_AFTER_HEADER,
} from './pushback.js';
export {
  DEPOSIT_CLOCK_EVERY,
  RetryBudget,
  type RetryBudgetOptions,
  retryBudgetDefaults,
} from './retry-budget.js';
export {
  type AttemptFn,
  type RetryCallOptions,
  type RetryEvent,
  RetryPolicy,
  type RetryPolicyOptions,
  retry,
} from './retry-policy.js';
export type { AttemptContext, Clock, Outcome, Random, RetryDecision, ShouldRetry, Timers } from './types.js';
export {
  DEADLINE_HEADER,
  decodeDeadlineHeader,
  decodeGrpcTimeout,
  encodeDeadlineHeader,
  encodeGrpcTimeout,
  GRPC_TIMEOUT_HEADER,
} from './wire-deadline.js';
