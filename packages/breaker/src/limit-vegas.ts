import { defaultRandom, type Random } from './clock.js';
import { checkBounds, type LimitAlgorithm, log10Root, usableRtt } from './limit-algorithm.js';
import * as check from './validate.js';

export interface VegasLimitOptions {
  /** Limit before any sample (default 20). */
  initialLimit?: number;
  /** The limit never goes below this (default 1). */
  minLimit?: number;
  /** The limit never goes above this (default 1,000, Netflix's maxConcurrency). */
  maxLimit?: number;
  /** Weight of a new estimate, in (0, 1]; 1 = no smoothing (default 1). */
  smoothing?: number;
  /** Queue size below which the limit grows by `increase` (default `3 · log10(limit)`). */
  alpha?: (limit: number) => number;
  /** Queue size above which the limit shrinks by `decrease` (default `6 · log10(limit)`). */
  beta?: (limit: number) => number;
  /** Queue size at or below which the limit grows by beta at once (default `log10(limit)`). */
  threshold?: (limit: number) => number;
  /** Next limit when growing (default `limit + log10(limit)`). */
  increase?: (limit: number) => number;
  /** Next limit when shrinking, also on a drop (default `limit - log10(limit)`). */
  decrease?: (limit: number) => number;
  /** Re-measure the no-load RTT every `probeMultiplier · limit · U(0.5, 1)` samples (default 30). */
  probeMultiplier?: number;
  /** Random in [0, 1) for the probe jitter (default `Math.random`). */
  random?: Random;
}

/**
 * Delay-based limit after TCP Vegas (Netflix `VegasLimit`): estimates the queue as
 * `limit · (1 − rttNoLoad / rtt)` and grows while it is small, shrinks when it is large.
 * `log10(n)` here is `max(1, floor(log10(n)))`, as Netflix's `Log10RootFunction` below 1,000.
 */
export class VegasLimit implements LimitAlgorithm {
  readonly type = 'vegas';
  readonly minLimit: number;
  readonly maxLimit: number;
  readonly #smoothing: number;
  readonly #alpha: (limit: number) => number;
  readonly #beta: (limit: number) => number;
  readonly #threshold: (limit: number) => number;
  readonly #increase: (limit: number) => number;
  readonly #decrease: (limit: number) => number;
  readonly #probeMultiplier: number;
  readonly #random: Random;
  #estimated: number;
  #rttNoLoad = 0;
  #probeCount = 0;
  #probeJitter: number;

  constructor(options: VegasLimitOptions = {}) {
    check.object('options', options);
    const o = {
      initialLimit: 20,
      minLimit: 1,
      maxLimit: 1_000,
      smoothing: 1,
      alpha: (limit: number) => 3 * log10Root(limit),
      beta: (limit: number) => 6 * log10Root(limit),
      threshold: log10Root,
      increase: (limit: number) => limit + log10Root(limit),
      decrease: (limit: number) => limit - log10Root(limit),
      probeMultiplier: 30,
      random: defaultRandom,
      ...options,
    };
    const bounds = checkBounds(o);
    this.minLimit = bounds.minLimit;
    this.maxLimit = bounds.maxLimit;
    this.#estimated = bounds.initialLimit;
    this.#smoothing = check.rate('smoothing', o.smoothing);
    this.#alpha = check.func('alpha', o.alpha);
    this.#beta = check.func('beta', o.beta);
    this.#threshold = check.func('threshold', o.threshold);
    this.#increase = check.func('increase', o.increase);
    this.#decrease = check.func('decrease', o.decrease);
    this.#probeMultiplier = check.positiveInteger('probeMultiplier', o.probeMultiplier);
    this.#random = check.func('random', o.random);
    this.#probeJitter = this.#jitter();
  }

  get limit(): number {
    return Math.floor(this.#estimated);
  }

  /** The lowest recent RTT, the baseline queueing is measured against (0 before the first sample). */
  get rttNoLoad(): number {
    return this.#rttNoLoad;
  }

  #jitter(): number {
    return 0.5 + 0.5 * this.#random();
  }

  onSample(_startTime: number, rtt: number, inflight: number, didDrop: boolean): void {
    if (!usableRtt(rtt)) return;
    // Now and then take the current RTT as the new baseline, so a baseline measured long ago
    // (before a deploy made calls slower, say) does not keep the limit down for ever.
    this.#probeCount++;
    if (this.#probeJitter * this.#probeMultiplier * this.#estimated <= this.#probeCount) {
      this.#probeJitter = this.#jitter();
      this.#probeCount = 0;
      this.#rttNoLoad = rtt;
      return;
    }
    if (this.#rttNoLoad === 0 || rtt < this.#rttNoLoad) {
      this.#rttNoLoad = rtt;
      return;
    }
    const estimated = this.#estimated;
    let next: number;
    if (didDrop) {
      next = this.#decrease(estimated);
    } else if (inflight * 2 < estimated) {
      return; // far from the limit: the RTT says nothing about it
    } else {
      const queue = Math.ceil(estimated * (1 - this.#rttNoLoad / rtt));
      const whole = Math.floor(estimated);
      if (queue <= this.#threshold(whole)) next = estimated + this.#beta(whole);
      else if (queue < this.#alpha(whole)) next = this.#increase(estimated);
      else if (queue > this.#beta(whole)) next = this.#decrease(estimated);
      else return;
    }
    // Clamp the estimate before and after smoothing, so user functions returning NaN or
    // out-of-range values cannot push the limit out of [min, max].
    next = Number.isNaN(next) ? estimated : Math.max(this.minLimit, Math.min(this.maxLimit, next));
    this.#estimated = (1 - this.#smoothing) * estimated + this.#smoothing * next;
  }
}
