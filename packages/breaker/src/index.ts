export { AdaptiveLimiter, type AdaptiveLimiterStats } from './adaptive-limiter.js';
export type { AdaptiveLimiterOptions } from './adaptive-limiter-options.js';
export type { LimiterPermit } from './adaptive-permit.js';
export { Bulkhead, type BulkheadStats } from './bulkhead.js';
export type { BulkheadOptions, Timers } from './bulkhead-options.js';
export {
  CircuitBreaker,
  type CircuitBreakerStats,
  type FailureEvent,
  type RejectedEvent,
  type StateChangeEvent,
  type SuccessEvent,
} from './circuit-breaker.js';
export type { CircuitBreakerOptions } from './circuit-breaker-options.js';
export type { CircuitBreakerSnapshot } from './circuit-snapshot.js';
export { type CircuitState, type CircuitStateType, isLegalTransition } from './circuit-state.js';
export type { Clock, Random } from './clock.js';
export type { ConcurrencyGuard } from './concurrency-guard.js';
export { ConsecutiveFailures, type ConsecutiveFailuresOptions } from './consecutive-failures.js';
export { CountWindow, type CountWindowOptions } from './count-window.js';
export {
  BrokenCircuitError,
  BulkheadFullError,
  type BulkheadRejectionReason,
  type CircuitRejectionState,
  isBrokenCircuitError,
  isBulkheadFullError,
  isLimitExceededError,
  LimitExceededError,
  type LimitRejectionReason,
} from './errors.js';
export type { Disposable, Listener } from './events.js';
export type { Executable, ExecuteContext } from './execute-context.js';
export { AimdLimit, type AimdLimitOptions } from './limit-aimd.js';
export type { LimitAlgorithm } from './limit-algorithm.js';
export { FixedLimit } from './limit-fixed.js';
export { Gradient2Limit, type Gradient2LimitOptions } from './limit-gradient2.js';
export { VegasLimit, type VegasLimitOptions } from './limit-vegas.js';
export { WindowedLimit, type WindowedLimitOptions } from './limit-windowed.js';
export type { OpenBackoffOptions } from './open-duration.js';
export type { Permit } from './permit.js';
export type { RateThresholdOptions } from './rate-thresholds.js';
export { RateThresholds } from './rate-thresholds.js';
export {
  type GrpcMetadataLike,
  type GrpcServerCallLike,
  type GrpcServerStreamLike,
  type GrpcShedOptions,
  type GrpcStatusLike,
  shedServerStreaming,
  shedUnary,
} from './shed-grpc.js';
export {
  type HttpListener,
  type HttpMiddleware,
  type HttpShedOptions,
  httpShedding,
  withHttpShedding,
} from './shed-http.js';
export type { CallOutcome, SheddingLimiter, SheddingPermit, ShedOptions } from './shed-options.js';
export { TimeWindow, type TimeWindowOptions } from './time-window.js';
export type { StrategySnapshot, TripStrategy } from './trip-strategy.js';
