import type { CircuitStateType } from './circuit-state.js';
import type { StrategySnapshot } from './trip-strategy.js';
import { nonNegativeDuration, nonNegativeInteger, object } from './validate.js';

/**
 * A breaker's state as JSON-safe data, to persist it or share it with another process. Times are
 * relative (ms left open), so the importing clock may have another origin. Calls in flight are not
 * part of it: their permits stay with the exporting breaker.
 */
export interface CircuitBreakerSnapshot {
  readonly version: 1;
  readonly state: CircuitStateType;
  /** Openings in a row without a successful close (drives the open-duration backoff). */
  readonly openings: number;
  /** Open only: ms until the next acquire may probe. */
  readonly retryAfterMs?: number;
  /** Half-open only: probe successes so far. */
  readonly halfOpenSuccesses?: number;
  readonly strategy: StrategySnapshot;
}

const states: readonly string[] = ['closed', 'open', 'half-open', 'isolated'];

export function checkSnapshot(snapshot: CircuitBreakerSnapshot): void {
  object('snapshot', snapshot);
  if (snapshot.version !== 1)
    throw new TypeError(`snapshot.version must be 1, got ${String(snapshot.version)}`);
  if (!states.includes(snapshot.state)) {
    throw new TypeError(`snapshot.state must be one of ${states.join(', ')}, got ${String(snapshot.state)}`);
  }
  nonNegativeInteger('snapshot.openings', snapshot.openings);
  if (snapshot.state === 'open') nonNegativeDuration('snapshot.retryAfterMs', snapshot.retryAfterMs);
  if (snapshot.state === 'half-open')
    nonNegativeInteger('snapshot.halfOpenSuccesses', snapshot.halfOpenSuccesses ?? 0);
  object('snapshot.strategy', snapshot.strategy);
}
