// A retry budget with Finagle/Linkerd semantics: every original request deposits one token, every
// retry (or hedge) withdraws one. Over any sliding `ttl` window a retry is allowed only while
//   retries ≤ percentCanRetry × requests + minRetriesPerSecond × ttl(s)
// The window is kept in `buckets` time slices (like Finagle's WindowedAdder), so each call is O(1)
// amortised with no timers. Everything errs on the stingy side, so the budget never allows more
// than the exact formula: deposits expire up to one slice early, withdrawals up to one slice late,
// and deposit() — on every request's hot path — reads the clock only every DEPOSIT_CLOCK_EVERY calls,
// stamping the ones in between with the last time read (they can only expire early).
import { type Clock, defaultClock } from './types.js';
import { clockLike, finiteAtLeast, integerInRange, positiveFinite } from './validate.js';

export interface RetryBudgetOptions {
  /** Sliding window over which deposits and withdrawals count, ms. Default 10 000. */
  ttl?: number;
  /** Retries always allowed per second regardless of traffic (the reserve). Default 10. */
  minRetriesPerSecond?: number;
  /** Fraction of requests that may be retried, e.g. 0.2 = 20 %. Default 0.2. */
  percentCanRetry?: number;
  /** Time slices the window is kept in; more = closer to an exact sliding window. Default 10. */
  buckets?: number;
  clock?: Clock;
}

/** deposit() reads the clock once per this many calls (at most this many − 1 deposits stamped early). */
export const DEPOSIT_CLOCK_EVERY = 8;

export const retryBudgetDefaults = Object.freeze({
  ttl: 10_000,
  minRetriesPerSecond: 10,
  percentCanRetry: 0.2,
  buckets: 10,
});

export class RetryBudget {
  readonly ttl: number;
  readonly minRetriesPerSecond: number;
  readonly percentCanRetry: number;
  readonly buckets: number;
  /** Retries allowed per window with no traffic at all: minRetriesPerSecond × ttl in seconds. */
  readonly reserve: number;
  private readonly clock: Clock;
  private readonly width: number;
  private readonly deposits: Float64Array; // `buckets` slices
  private readonly withdrawals: Float64Array; // `buckets + 1` slices: kept at least a full ttl
  private depositSum = 0;
  private withdrawSum = 0;
  private slice: number;
  private depositSlot = 0; // index of `slice` in deposits
  private withdrawSlot = 0; // index of `slice` in withdrawals
  private depositsUntilClock = 0;

  constructor(options: RetryBudgetOptions = {}) {
    const o = { ...retryBudgetDefaults, clock: defaultClock, ...options };
    positiveFinite('ttl', o.ttl);
    finiteAtLeast('minRetriesPerSecond', o.minRetriesPerSecond, 0);
    finiteAtLeast('percentCanRetry', o.percentCanRetry, 0);
    integerInRange('buckets', o.buckets, 1, 1000);
    clockLike('clock', o.clock);
    this.ttl = o.ttl;
    this.minRetriesPerSecond = o.minRetriesPerSecond;
    this.percentCanRetry = o.percentCanRetry;
    this.buckets = o.buckets;
    this.reserve = (o.minRetriesPerSecond * o.ttl) / 1000;
    this.clock = o.clock;
    this.width = o.ttl / o.buckets;
    this.deposits = new Float64Array(o.buckets);
    this.withdrawals = new Float64Array(o.buckets + 1);
    this.slice = Math.floor(o.clock.now() / this.width);
    this.depositSlot = mod(this.slice, this.buckets);
    this.withdrawSlot = mod(this.slice, this.buckets + 1);
  }

  /** Records one original request (call once per logical call, not per attempt). */
  deposit(): void {
    if (--this.depositsUntilClock < 0) {
      this.depositsUntilClock = DEPOSIT_CLOCK_EVERY - 1;
      this.advance();
    }
    this.deposits[this.depositSlot]! += 1;
    this.depositSum += 1;
  }

  /** Takes one retry token if the budget allows it. */
  tryWithdraw(): boolean {
    this.advance();
    if (this.withdrawSum + 1 > this.percentCanRetry * this.depositSum + this.reserve) return false;
    this.withdrawals[this.withdrawSlot]! += 1;
    this.withdrawSum += 1;
    return true;
  }

  /** Retries that would be allowed right now. */
  balance(): number {
    this.advance();
    return Math.max(0, Math.floor(this.percentCanRetry * this.depositSum + this.reserve - this.withdrawSum));
  }

  /** Expires the slices the clock has moved past; at most buckets + 1 slices per call. */
  private advance(): void {
    const s = Math.floor(this.clock.now() / this.width);
    const last = this.slice;
    if (s <= last) return; // same slice, or a clock that went backwards: stay put
    const steps = s - last;
    const nd = this.buckets;
    for (let k = 1, n = Math.min(steps, nd); k <= n; k++) {
      const i = mod(last + k, nd);
      this.depositSum -= this.deposits[i]!;
      this.deposits[i] = 0;
    }
    const nw = nd + 1;
    for (let k = 1, n = Math.min(steps, nw); k <= n; k++) {
      const i = mod(last + k, nw);
      this.withdrawSum -= this.withdrawals[i]!;
      this.withdrawals[i] = 0;
    }
    this.slice = s;
    this.depositSlot = mod(s, nd);
    this.withdrawSlot = mod(s, nw);
  }
}

function mod(a: number, n: number): number {
  const r = a % n;
  return r < 0 ? r + n : r;
}
