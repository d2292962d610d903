// Reference models of the trip strategies: the plainest possible code (arrays, filters), written
// independently of the ring buffers and bucket counters they check.

export interface StrategyModel {
  /** Records a closed-state call; true when the breaker must open. */
  record(failed: boolean, durationMs: number, now: number): boolean;
  reset(): void;
  /** Calls the window holds as of `now` (for the minimum-calls invariant). */
  windowCalls(now: number): number;
  /** Failures in a row (consecutive model only). */
  consecutive?: number;
}

export class ConsecutiveModel implements StrategyModel {
  consecutive = 0;
  constructor(readonly threshold: number) {}
  record(failed: boolean): boolean {
    this.consecutive = failed ? this.consecutive + 1 : 0;
    return this.consecutive >= this.threshold;
  }
  reset(): void {
    this.consecutive = 0;
  }
  windowCalls(): number {
    return Number.POSITIVE_INFINITY;
  }
}

export interface RateModelOptions {
  failureRateThreshold: number;
  slowCallRateThreshold: number;
  slowCallDurationMs: number;
  minimumCalls: number;
}

function trips(o: RateModelOptions, calls: { failed: boolean; slow: boolean }[]): boolean {
  if (calls.length < o.minimumCalls) return false;
  const failed = calls.filter((c) => c.failed).length;
  const slow = calls.filter((c) => c.slow).length;
  return failed / calls.length >= o.failureRateThreshold || slow / calls.length >= o.slowCallRateThreshold;
}

export class CountWindowModel implements StrategyModel {
  calls: { failed: boolean; slow: boolean }[] = [];
  constructor(
    readonly size: number,
    readonly o: RateModelOptions,
  ) {}
  record(failed: boolean, durationMs: number): boolean {
    this.calls.push({ failed, slow: durationMs > this.o.slowCallDurationMs });
    return trips(this.o, this.calls.slice(-this.size));
  }
  reset(): void {
    this.calls = [];
  }
  windowCalls(): number {
    return this.calls.slice(-this.size).length;
  }
}

export class TimeWindowModel implements StrategyModel {
  calls: { bucket: number; failed: boolean; slow: boolean }[] = [];
  latest = Number.NEGATIVE_INFINITY;
  constructor(
    readonly windowMs: number,
    readonly buckets: number,
    readonly o: RateModelOptions,
  ) {}
  #bucket(now: number): number {
    return Math.floor(now / (this.windowMs / this.buckets));
  }
  #inWindow(now: number): { failed: boolean; slow: boolean }[] {
    this.latest = Math.max(this.latest, this.#bucket(now));
    return this.calls.filter((c) => c.bucket > this.latest - this.buckets);
  }
  record(failed: boolean, durationMs: number, now: number): boolean {
    this.calls.push({ bucket: this.#bucket(now), failed, slow: durationMs > this.o.slowCallDurationMs });
    return trips(this.o, this.#inWindow(now));
  }
  reset(): void {
    this.calls = [];
    this.latest = Number.NEGATIVE_INFINITY;
  }
  windowCalls(now: number): number {
    return this.#inWindow(now).length;
  }
}
