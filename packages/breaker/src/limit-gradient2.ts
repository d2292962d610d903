import { checkBounds, type LimitAlgorithm, usableRtt } from './limit-algorithm.js';
import * as check from './validate.js';

export interface Gradient2LimitOptions {
  /** Limit before any sample (default 20). */
  initialLimit?: number;
  /** The limit never goes below this (default 20). */
  minLimit?: number;
  /** The limit never goes above this (default 200). */
  maxLimit?: number;
  /** Weight of a new estimate, in (0, 1] (default 0.2). */
  smoothing?: number;
  /** How much slower than the long-term RTT a call may be before the limit shrinks, >= 1 (default 1.5). */
  rttTolerance?: number;
  /** Samples in the long-term RTT average (EWMA factor 2 / (n + 1); default 600). */
  longWindow?: number;
  /** Headroom added to the limit, fixed or a function of the limit (default 4). */
  queueSize?: number | ((limit: number) => number);
}

/** Samples averaged plainly before the long-term EWMA takes over (Netflix's ExpAvgMeasurement warm-up). */
const WARMUP = 10;

/**
 * Gradient-based limit (Netflix `Gradient2Limit`): compares each RTT with a long-term
 * exponential average and scales the limit by `gradient = clamp(0.5, 1, tolerance · longRtt / rtt)`,
 * plus a small queue allowance, smoothed. Drops are not used: they show up as slow calls.
 */
export class Gradient2Limit implements LimitAlgorithm {
  readonly type = 'gradient2';
  readonly minLimit: number;
  readonly maxLimit: number;
  readonly #smoothing: number;
  readonly #tolerance: number;
  readonly #factor: number;
  readonly #queueSize: (limit: number) => number;
  #estimated: number;
  #longRtt = 0;
  #count = 0;
  #sum = 0;

  constructor(options: Gradient2LimitOptions = {}) {
    check.object('options', options);
    const o = {
      initialLimit: 20,
      minLimit: 20,
      maxLimit: 200,
      smoothing: 0.2,
      rttTolerance: 1.5,
      longWindow: 600,
      queueSize: 4 as number | ((limit: number) => number),
      ...options,
    };
    const bounds = checkBounds(o);
    this.minLimit = bounds.minLimit;
    this.maxLimit = bounds.maxLimit;
    this.#estimated = bounds.initialLimit;
    this.#smoothing = check.rate('smoothing', o.smoothing);
    this.#tolerance = check.atLeast('rttTolerance', o.rttTolerance, 1);
    this.#factor = 2 / (check.positiveInteger('longWindow', o.longWindow) + 1);
    const q = o.queueSize;
    if (typeof q === 'number') {
      check.atLeast('queueSize', q, 0);
      this.#queueSize = () => q;
    } else {
      this.#queueSize = check.func('queueSize', q);
    }
  }

  get limit(): number {
    return Math.floor(this.#estimated);
  }

  /** The long-term RTT average the gradient compares against (0 before the first sample). */
  get longRtt(): number {
    return this.#longRtt;
  }

  onSample(_startTime: number, rtt: number, inflight: number, _didDrop: boolean): void {
    if (!usableRtt(rtt)) return;
    const estimated = this.#estimated;
    const queueSize = this.#queueSize(Math.floor(estimated));
    let longRtt: number;
    if (this.#count < WARMUP) {
      this.#count++;
      this.#sum += rtt;
      longRtt = this.#sum / this.#count;
    } else {
      longRtt = this.#longRtt * (1 - this.#factor) + rtt * this.#factor;
    }
    // After a long overload the average lags far above today's RTT: pull it down faster than the
    // EWMA would, so the limit recovers.
    this.#longRtt = longRtt / rtt > 2 ? longRtt * 0.95 : longRtt;
    if (inflight < estimated / 2) return; // app-limited: do not grow a limit nobody uses
    const gradient = Math.max(0.5, Math.min(1, (this.#tolerance * longRtt) / rtt));
    let next = estimated * gradient + (Number.isNaN(queueSize) ? 0 : queueSize);
    next = estimated * (1 - this.#smoothing) + next * this.#smoothing;
    this.#estimated = Math.max(this.minLimit, Math.min(this.maxLimit, next));
  }
}
