import { checkBounds, type LimitAlgorithm } from './limit-algorithm.js';
import * as check from './validate.js';

export interface AimdLimitOptions {
  /** Limit before any sample (default 20). */
  initialLimit?: number;
  /** The limit never goes below this (default 20). */
  minLimit?: number;
  /** The limit never goes above this (default 200). */
  maxLimit?: number;
  /** Multiplier applied on a drop, in [0.5, 1) (default 0.9). */
  backoffRatio?: number;
  /** A call slower than this counts as a drop, ms (default 5,000). */
  timeoutMs?: number;
}

/**
 * Loss-based limit (Netflix `AIMDLimit`): +1 on a success while at least half the limit is in
 * use, × backoffRatio on a drop or a call slower than timeoutMs. Defaults are Netflix's.
 */
export class AimdLimit implements LimitAlgorithm {
  readonly type = 'aimd';
  readonly minLimit: number;
  readonly maxLimit: number;
  readonly backoffRatio: number;
  readonly timeoutMs: number;
  #limit: number;

  constructor(options: AimdLimitOptions = {}) {
    check.object('options', options);
    const o = {
      initialLimit: 20,
      minLimit: 20,
      maxLimit: 200,
      backoffRatio: 0.9,
      timeoutMs: 5_000,
      ...options,
    };
    const bounds = checkBounds(o);
    if (typeof o.backoffRatio !== 'number') {
      throw new TypeError(`backoffRatio must be a number in [0.5, 1), got ${String(o.backoffRatio)}`);
    }
    if (!(o.backoffRatio >= 0.5 && o.backoffRatio < 1)) {
      throw new RangeError(`backoffRatio must be a number in [0.5, 1), got ${o.backoffRatio}`);
    }
    this.minLimit = bounds.minLimit;
    this.maxLimit = bounds.maxLimit;
    this.#limit = bounds.initialLimit;
    this.backoffRatio = o.backoffRatio;
    this.timeoutMs = check.positiveDuration('timeoutMs', o.timeoutMs, true);
  }

  get limit(): number {
    return this.#limit;
  }

  onSample(_startTime: number, rtt: number, inflight: number, didDrop: boolean): void {
    const current = this.#limit;
    let next: number;
    if (didDrop || rtt > this.timeoutMs) {
      next = Math.floor(current * this.backoffRatio); // < current for any ratio < 1
    } else if (rtt >= 0 && inflight * 2 >= current) {
      next = current + 1; // grow only when the limit is being used, so idle periods do not inflate it
    } else {
      return;
    }
    this.#limit = Math.max(this.minLimit, Math.min(this.maxLimit, next));
  }
}
