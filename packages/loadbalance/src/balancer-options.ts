import {
  type OutlierDetectionOptions,
  type ResolvedOutlierOptions,
  resolveOutlierOptions,
} from './outlier-options.js';
import { POLICIES, type PolicyName } from './policy.js';
import type { Clock, Random } from './types.js';

export interface BalancerOptions {
  /** Balancing policy (default 'least-request': P2C over in-flight counts, Finagle's default). */
  policy?: PolicyName;
  /** Time source in ms (default `performance`). */
  clock?: Clock;
  /** Uniform [0, 1) source (default `Math.random`). */
  random?: Random;
  /** Below this percentage of healthy endpoints, balance over all of them (50; 0 disables, Envoy). */
  panicThreshold?: number;
  /** Prefer endpoints whose `zone` equals this; spill over as the zone loses health. */
  localZone?: string;
  /** Local share = min(1, factor × healthy fraction of the local zone) (1.4, Envoy's overprovisioning). */
  overprovisioningFactor?: number;
  /** Peak-EWMA decay time constant in ms (10,000). */
  decayTimeMs?: number;
  /** Latency assumed before an endpoint's first sample, in ms (30). */
  defaultRttMs?: number;
  /** A failed call counts as a latency sample of max(latency, estimate) × this (5). */
  failurePenalty?: number;
  /**
   * Peak-EWMA: the least weight of a lower sample in the estimate (0.1), so a busy endpoint forgives
   * a spike within a few dozen calls instead of over `decayTimeMs`; 0 = time weights alone (Finagle).
   */
  sampleWeight?: number;
  /**
   * Peak-EWMA: an endpoint whose latency estimate is at least this many times its P2C rival's loses
   * whatever their in-flight counts (2; `Infinity` = Finagle's pure latency × (in-flight + 1)).
   */
  slowRatio?: number;
  /** Peak-EWMA: an idle endpoint whose last sample is this much older than its P2C rival's wins, so one call at a time probes an endpoint that keeps losing (1,000 ms; `Infinity` disables). */
  probeIntervalMs?: number;
  /** Ring-hash: points on the ring per unit of endpoint weight (160, as Ketama). */
  ringReplicas?: number;
  /** Ring-hash: cap on ring entries; past it every endpoint's share is scaled down (1,048,576). */
  maxRingSize?: number;
  /** Maglev lookup table size; must be prime (65,537, as Envoy). */
  maglevTableSize?: number;
  /** Envoy-style outlier detection: `true` for the defaults, an object to tune, `false` to disable (default). */
  outlierDetection?: OutlierDetectionOptions | boolean;
}

export interface ResolvedBalancerOptions {
  readonly policy: PolicyName;
  readonly clock: Clock;
  readonly random: Random;
  readonly panicThreshold: number;
  readonly localZone: string | undefined;
  readonly overprovisioningFactor: number;
  readonly decayTimeMs: number;
  readonly defaultRttMs: number;
  readonly failurePenalty: number;
  readonly sampleWeight: number;
  readonly slowRatio: number;
  readonly probeIntervalMs: number;
  readonly ringReplicas: number;
  readonly maxRingSize: number;
  readonly maglevTableSize: number;
  readonly outlierDetection: ResolvedOutlierOptions | undefined;
}

const defaultClock: Clock = Object.freeze({ now: () => performance.now() });

export const BALANCER_DEFAULTS = Object.freeze({
  policy: 'least-request' as PolicyName,
  panicThreshold: 50,
  overprovisioningFactor: 1.4,
  decayTimeMs: 10_000,
  defaultRttMs: 30,
  failurePenalty: 5,
  sampleWeight: 0.1,
  slowRatio: 2,
  probeIntervalMs: 1_000,
  ringReplicas: 160,
  maxRingSize: 1_048_576,
  maglevTableSize: 65_537,
});

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

function positive(name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new RangeError(`${name} must be a positive finite number, got ${String(v)}`);
  }
}

export function resolveBalancerOptions(options: BalancerOptions): ResolvedBalancerOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`options must be an object, got ${String(options)}`);
  }
  const o = { ...BALANCER_DEFAULTS, ...options };
  if (!POLICIES.includes(o.policy)) {
    throw new RangeError(`policy must be one of ${POLICIES.join(', ')}, got ${String(o.policy)}`);
  }
  const clock = options.clock ?? defaultClock;
  if (typeof clock !== 'object' || clock === null || typeof clock.now !== 'function') {
    throw new TypeError('clock must be an object with a now() method');
  }
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') throw new TypeError('random must be a function');
  if (typeof o.panicThreshold !== 'number' || !(o.panicThreshold >= 0 && o.panicThreshold <= 100)) {
    throw new RangeError(`panicThreshold must be a percentage in [0, 100], got ${String(o.panicThreshold)}`);
  }
  if (o.localZone !== undefined && (typeof o.localZone !== 'string' || o.localZone === '')) {
    throw new TypeError(`localZone must be a non-empty string, got ${String(o.localZone)}`);
  }
  positive('overprovisioningFactor', o.overprovisioningFactor);
  positive('decayTimeMs', o.decayTimeMs);
  positive('defaultRttMs', o.defaultRttMs);
  if (
    typeof o.failurePenalty !== 'number' ||
    !(o.failurePenalty >= 1) ||
    !Number.isFinite(o.failurePenalty)
  ) {
    throw new RangeError(`failurePenalty must be a finite number >= 1, got ${String(o.failurePenalty)}`);
  }
  if (typeof o.sampleWeight !== 'number' || !(o.sampleWeight >= 0 && o.sampleWeight <= 1)) {
    throw new RangeError(`sampleWeight must be a number in [0, 1], got ${String(o.sampleWeight)}`);
  }
  if (typeof o.slowRatio !== 'number' || !(o.slowRatio > 1)) {
    throw new RangeError(
      `slowRatio must be a number > 1 (Infinity disables the gate), got ${String(o.slowRatio)}`,
    );
  }
  if (typeof o.probeIntervalMs !== 'number' || !(o.probeIntervalMs > 0)) {
    throw new RangeError(
      `probeIntervalMs must be a positive number of ms (Infinity disables probes), got ${String(o.probeIntervalMs)}`,
    );
  }
  for (const name of ['ringReplicas', 'maxRingSize'] as const) {
    if (!Number.isSafeInteger(o[name]) || o[name] < 1) {
      throw new RangeError(`${name} must be a positive integer, got ${String(o[name])}`);
    }
  }
  if (
    !Number.isSafeInteger(o.maglevTableSize) ||
    o.maglevTableSize > 5_000_011 ||
    !isPrime(o.maglevTableSize)
  ) {
    throw new RangeError(
      `maglevTableSize must be a prime no larger than 5000011, got ${String(o.maglevTableSize)}`,
    );
  }
  const od = options.outlierDetection;
  let outlierDetection: ResolvedOutlierOptions | undefined;
  if (od === true) outlierDetection = resolveOutlierOptions({});
  else if (od !== undefined && od !== false) outlierDetection = resolveOutlierOptions(od);
  return Object.freeze({
    policy: o.policy,
    clock,
    random,
    panicThreshold: o.panicThreshold,
    localZone: o.localZone,
    overprovisioningFactor: o.overprovisioningFactor,
    decayTimeMs: o.decayTimeMs,
    defaultRttMs: o.defaultRttMs,
    failurePenalty: o.failurePenalty,
    sampleWeight: o.sampleWeight,
    slowRatio: o.slowRatio,
    probeIntervalMs: o.probeIntervalMs,
    ringReplicas: o.ringReplicas,
    maxRingSize: o.maxRingSize,
    maglevTableSize: o.maglevTableSize,
    outlierDetection,
  });
}
