import { checkSnapshotType, type StrategySnapshot, type TripStrategy } from './trip-strategy.js';
import { nonNegativeInteger, positiveInteger } from './validate.js';

export interface ConsecutiveFailuresOptions {
  /** Failures in a row that open the breaker (default 5). */
  threshold?: number;
}

/** Opens after `threshold` failures in a row; any success starts the count again. */
export class ConsecutiveFailures implements TripStrategy {
  readonly type = 'consecutive-failures';
  readonly usesTime = false;
  readonly usesDuration = false;
  readonly threshold: number;
  #failures = 0;

  constructor(options: ConsecutiveFailuresOptions = {}) {
    this.threshold = positiveInteger('threshold', options.threshold ?? 5);
  }

  /** Failures in a row so far. */
  get failures(): number {
    return this.#failures;
  }

  record(failed: boolean): boolean {
    if (!failed) {
      this.#failures = 0;
      return false;
    }
    return ++this.#failures >= this.threshold;
  }

  reset(): void {
    this.#failures = 0;
  }

  snapshot(): StrategySnapshot {
    return { type: this.type, failures: this.#failures };
  }

  restore(snapshot: StrategySnapshot): void {
    checkSnapshotType(snapshot, this.type);
    this.#failures = nonNegativeInteger('snapshot.failures', snapshot.failures);
  }
}
