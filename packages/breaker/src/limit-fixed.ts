import type { LimitAlgorithm } from './limit-algorithm.js';
import * as check from './validate.js';

/** A limit that never moves: an `AdaptiveLimiter` with it behaves as a bulkhead without a queue. */
export class FixedLimit implements LimitAlgorithm {
  readonly type = 'fixed';
  readonly limit: number;

  constructor(limit: number) {
    this.limit = check.positiveInteger('limit', limit);
  }

  onSample(): void {}
}
