// Envoy-style passive health checking. Consecutive-error detectors run inline on `record`;
// success-rate and failure-percentage detectors, and the decay of the ejection back-off, run once
// per interval inside `evaluate(now)`. No timers: the owner calls `evaluate` (e.g. on each pick
// batch, or from its own interval), and unejection happens on the first `evaluate` after it is due.
import type { ResolvedOutlierOptions } from './outlier-options.js';
import type { Outcome, Random } from './types.js';

export type EjectionReason =
  | 'consecutive-5xx'
  | 'consecutive-gateway-failure'
  | 'consecutive-local-origin-failure'
  | 'success-rate'
  | 'failure-percentage';

/** Per-host detector state; `ref` points back at what the owner tracks (an endpoint). */
export class OutlierHost<T = unknown> {
  readonly ref: T;
  consecutive5xx = 0;
  consecutiveGateway = 0;
  consecutiveLocal = 0;
  /** Requests and successes in the current interval (external origin). */
  total = 0;
  successes = 0;
  ejected = false;
  ejectedAt = 0;
  /** Current ejection duration multiplier (Envoy's eject_time_backoff). */
  backoff = 0;
  /** Lifetime ejection count. */
  ejections = 0;
  lastUnejectedAt = Number.NaN;
  /** false once removed: late results for a departed host are ignored. */
  attached = true;

  constructor(ref: T) {
    this.ref = ref;
  }
}

export interface OutlierHooks<T> {
  onEject(host: OutlierHost<T>, reason: EjectionReason, now: number, durationMs: number): void;
  onUneject(host: OutlierHost<T>, now: number): void;
}

export class OutlierDetector<T = unknown> {
  readonly options: ResolvedOutlierOptions;
  readonly #random: Random;
  readonly #hooks: OutlierHooks<T>;
  readonly #hosts = new Set<OutlierHost<T>>();
  #ejected = 0;
  #lastSweep: number;

  constructor(options: ResolvedOutlierOptions, random: Random, hooks: OutlierHooks<T>, now: number) {
    this.options = options;
    this.#random = random;
    this.#hooks = hooks;
    this.#lastSweep = now;
  }

  get size(): number {
    return this.#hosts.size;
  }

  get ejectedCount(): number {
    return this.#ejected;
  }

  /** How many hosts may be ejected at once right now. */
  get maxEjections(): number {
    const cap = Math.floor((this.#hosts.size * this.options.maxEjectionPercent) / 100);
    return this.options.alwaysEjectOneHost && this.#hosts.size > 0 ? Math.max(1, cap) : cap;
  }

  add(ref: T): OutlierHost<T> {
    const host = new OutlierHost(ref);
    this.#hosts.add(host);
    return host;
  }

  remove(host: OutlierHost<T>): void {
    if (!this.#hosts.delete(host)) return;
    host.attached = false;
    if (host.ejected) this.#ejected--;
  }

  /** Records one finished call; may eject the host at once (consecutive detectors). */
  record(host: OutlierHost<T>, outcome: Outcome, now: number): void {
    if (!host.attached || outcome === 'cancelled') return;
    const o = this.options;
    if (outcome === 'success') {
      host.total++;
      host.successes++;
      host.consecutive5xx = 0;
      host.consecutiveGateway = 0;
      host.consecutiveLocal = 0;
      return;
    }
    if (outcome === 'local-origin-error' && o.splitExternalLocalOriginErrors) {
      // Split mode: local-origin errors feed only their own counter, not the external success rate.
      if (++host.consecutiveLocal === o.consecutiveLocalOriginFailure) {
        host.consecutiveLocal = 0;
        this.#detected(
          host,
          'consecutive-local-origin-failure',
          o.enforcingConsecutiveLocalOriginFailure,
          now,
        );
      }
      return;
    }
    host.total++;
    // Unsplit, a local-origin error counts as a 503: both a 5xx and a gateway error (as Envoy).
    if (outcome === 'error') {
      host.consecutiveGateway = 0;
    } else if (++host.consecutiveGateway === o.consecutiveGatewayFailure) {
      host.consecutiveGateway = 0;
      this.#detected(host, 'consecutive-gateway-failure', o.enforcingConsecutiveGatewayFailure, now);
    }
    if (++host.consecutive5xx === o.consecutive5xx) {
      host.consecutive5xx = 0;
      this.#detected(host, 'consecutive-5xx', o.enforcingConsecutive5xx, now);
    }
  }

  /**
   * Unejects hosts whose time is up and, once per `intervalMs`, runs the success-rate and
   * failure-percentage detectors over the interval's counts. Returns whether anything changed.
   */
  evaluate(now: number): boolean {
    let changed = false;
    const o = this.options;
    if (this.#ejected > 0) {
      for (const host of this.#hosts) {
        if (!host.ejected) continue;
        const duration = Math.min(o.baseEjectionTimeMs * host.backoff, o.maxEjectionTimeMs);
        if (now - host.ejectedAt >= duration) {
          host.ejected = false;
          host.lastUnejectedAt = now;
          this.#ejected--;
          changed = true;
          this.#hooks.onUneject(host, now);
        }
      }
    }
    if (now - this.#lastSweep < o.intervalMs) return changed;
    this.#lastSweep = now;
    for (const host of this.#hosts) {
      // Healthy for a whole interval since the last unejection: shorten the next ejection.
      if (!host.ejected && host.backoff > 0 && now - host.lastUnejectedAt >= o.intervalMs) host.backoff--;
    }
    if (this.#successRate(now)) changed = true;
    if (this.#failurePercentage(now)) changed = true;
    for (const host of this.#hosts) {
      host.total = 0;
      host.successes = 0;
    }
    return changed;
  }

  #successRate(now: number): boolean {
    const o = this.options;
    let n = 0;
    let sum = 0;
    for (const h of this.#hosts) {
      if (h.total >= o.successRateRequestVolume) {
        n++;
        sum += (100 * h.successes) / h.total;
      }
    }
    if (n < o.successRateMinimumHosts) return false;
    const mean = sum / n;
    let sq = 0;
    for (const h of this.#hosts) {
      if (h.total >= o.successRateRequestVolume) {
        const d = (100 * h.successes) / h.total - mean;
        sq += d * d;
      }
    }
    const threshold = mean - Math.sqrt(sq / n) * (o.successRateStdevFactor / 1000);
    let changed = false;
    for (const h of this.#hosts) {
      if (h.total >= o.successRateRequestVolume && (100 * h.successes) / h.total < threshold) {
        if (this.#detected(h, 'success-rate', o.enforcingSuccessRate, now)) changed = true;
      }
    }
    return changed;
  }

  #failurePercentage(now: number): boolean {
    const o = this.options;
    let n = 0;
    for (const h of this.#hosts) if (h.total >= o.failurePercentageRequestVolume) n++;
    if (n < o.failurePercentageMinimumHosts) return false;
    let changed = false;
    for (const h of this.#hosts) {
      if (h.total < o.failurePercentageRequestVolume) continue;
      const failurePercent = (100 * (h.total - h.successes)) / h.total;
      if (failurePercent >= o.failurePercentageThreshold) {
        if (this.#detected(h, 'failure-percentage', o.enforcingFailurePercentage, now)) changed = true;
      }
    }
    return changed;
  }

  #detected(host: OutlierHost<T>, reason: EjectionReason, enforcing: number, now: number): boolean {
    if (host.ejected) return false;
    // enforcing_* is the chance, in percent, that a detection turns into an ejection.
    if (enforcing < 100 && !(this.#random() * 100 < enforcing)) return false;
    if (this.#ejected >= this.maxEjections) return false;
    const o = this.options;
    if (o.baseEjectionTimeMs * host.backoff < o.maxEjectionTimeMs) host.backoff++;
    host.ejected = true;
    host.ejectedAt = now;
    host.ejections++;
    this.#ejected++;
    this.#hooks.onEject(
      host,
      reason,
      now,
      Math.min(o.baseEjectionTimeMs * host.backoff, o.maxEjectionTimeMs),
    );
    return true;
  }
}
