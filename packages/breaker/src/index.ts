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
export { ConsecutiveFailures, type ConsecutiveFailuresOptions } from './consecutive-failures.js';
export { CountWindow, type CountWindowOptions } from './count-window.js';
export {
  BrokenCircuitError,
  BulkheadFullError,
  type BulkheadRejectionReason,
  type CircuitRejectionState,
  isBrokenCircuitError,
  isBulkheadFullError,
} from './errors.js';
export type { Disposable, Listener } from './events.js';
export type { Executable, ExecuteContext } from './execute-context.js';
export type { OpenBackoffOptions } from './open-duration.js';
export type { Permit } from './permit.js';
export type { RateThresholdOptions } from './rate-thresholds.js';
export { RateThresholds } from './rate-thresholds.js';
export { TimeWindow, type TimeWindowOptions } from './time-window.js';
export type { StrategySnapshot, TripStrategy } from './trip-strategy.js';
