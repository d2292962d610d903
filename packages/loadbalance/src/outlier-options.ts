// Envoy's OutlierDetection (config.cluster.v3.OutlierDetection) with its defaults; times in ms,
// enforcing_* as percentages (the chance a detected outlier is actually ejected).

export interface OutlierDetectionOptions {
  /** Sweep interval for success-rate / failure-percentage detection and ejection back-off decay (10,000). */
  intervalMs?: number;
  /** Ejection time = baseEjectionTimeMs × ejections in a row (30,000). */
  baseEjectionTimeMs?: number;
  /** Cap on one ejection's duration (300,000, or baseEjectionTimeMs if larger). */
  maxEjectionTimeMs?: number;
  /** At most this share of endpoints ejected at once (10). */
  maxEjectionPercent?: number;
  /** Allow one ejection even when maxEjectionPercent rounds to zero hosts (true; Envoy's always_eject_one_host). */
  alwaysEjectOneHost?: boolean;
  /** Consecutive 5xx (and, unless split, local-origin errors) before ejection (5). */
  consecutive5xx?: number;
  enforcingConsecutive5xx?: number;
  /** Consecutive 502/503/504 (and, unless split, local-origin errors) before ejection (5). */
  consecutiveGatewayFailure?: number;
  /** Envoy default 0: detected but not enforced. */
  enforcingConsecutiveGatewayFailure?: number;
  /** Count local-origin errors (connect failures, timeouts) apart from 5xx (false). */
  splitExternalLocalOriginErrors?: boolean;
  /** With split: consecutive local-origin errors before ejection (5). */
  consecutiveLocalOriginFailure?: number;
  enforcingConsecutiveLocalOriginFailure?: number;
  /** Success-rate detector: needs this many hosts with enough volume in the interval (5). */
  successRateMinimumHosts?: number;
  /** …and this many requests per host in the interval (100). */
  successRateRequestVolume?: number;
  /** Eject below mean − stdev × factor / 1000 (1900, i.e. 1.9). */
  successRateStdevFactor?: number;
  enforcingSuccessRate?: number;
  /** Failure-percentage detector: eject at or above this failure % (85). */
  failurePercentageThreshold?: number;
  failurePercentageMinimumHosts?: number;
  /** (50) */
  failurePercentageRequestVolume?: number;
  /** Envoy default 0: detected but not enforced. */
  enforcingFailurePercentage?: number;
}

export type ResolvedOutlierOptions = Readonly<Required<OutlierDetectionOptions>>;

export const OUTLIER_DEFAULTS: ResolvedOutlierOptions = Object.freeze({
  intervalMs: 10_000,
  baseEjectionTimeMs: 30_000,
  maxEjectionTimeMs: 300_000,
  maxEjectionPercent: 10,
  alwaysEjectOneHost: true,
  consecutive5xx: 5,
  enforcingConsecutive5xx: 100,
  consecutiveGatewayFailure: 5,
  enforcingConsecutiveGatewayFailure: 0,
  splitExternalLocalOriginErrors: false,
  consecutiveLocalOriginFailure: 5,
  enforcingConsecutiveLocalOriginFailure: 100,
  successRateMinimumHosts: 5,
  successRateRequestVolume: 100,
  successRateStdevFactor: 1900,
  enforcingSuccessRate: 100,
  failurePercentageThreshold: 85,
  failurePercentageMinimumHosts: 5,
  failurePercentageRequestVolume: 50,
  enforcingFailurePercentage: 0,
});

function positive(name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new RangeError(`outlierDetection.${name} must be a positive finite number, got ${String(v)}`);
  }
}

function positiveInt(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new RangeError(`outlierDetection.${name} must be a positive integer, got ${String(v)}`);
  }
}

function percent(name: string, v: number): void {
  if (typeof v !== 'number' || !(v >= 0 && v <= 100)) {
    throw new RangeError(`outlierDetection.${name} must be a percentage in [0, 100], got ${String(v)}`);
  }
}

export function resolveOutlierOptions(options: OutlierDetectionOptions): ResolvedOutlierOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`outlierDetection must be an object or false, got ${String(options)}`);
  }
  const o = { ...OUTLIER_DEFAULTS, ...options };
  if (options.maxEjectionTimeMs === undefined && o.baseEjectionTimeMs > o.maxEjectionTimeMs) {
    o.maxEjectionTimeMs = o.baseEjectionTimeMs; // as Envoy: the default cap never undercuts the base
  }
  positive('intervalMs', o.intervalMs);
  positive('baseEjectionTimeMs', o.baseEjectionTimeMs);
  positive('maxEjectionTimeMs', o.maxEjectionTimeMs);
  if (o.maxEjectionTimeMs < o.baseEjectionTimeMs) {
    throw new RangeError(
      `outlierDetection.maxEjectionTimeMs must be >= baseEjectionTimeMs, got ${o.maxEjectionTimeMs}`,
    );
  }
  percent('maxEjectionPercent', o.maxEjectionPercent);
  positiveInt('consecutive5xx', o.consecutive5xx);
  positiveInt('consecutiveGatewayFailure', o.consecutiveGatewayFailure);
  positiveInt('consecutiveLocalOriginFailure', o.consecutiveLocalOriginFailure);
  positiveInt('successRateMinimumHosts', o.successRateMinimumHosts);
  positiveInt('successRateRequestVolume', o.successRateRequestVolume);
  positiveInt('failurePercentageMinimumHosts', o.failurePercentageMinimumHosts);
  positiveInt('failurePercentageRequestVolume', o.failurePercentageRequestVolume);
  if (!(o.successRateStdevFactor >= 0 && Number.isFinite(o.successRateStdevFactor))) {
    throw new RangeError(
      `outlierDetection.successRateStdevFactor must be a non-negative number, got ${String(o.successRateStdevFactor)}`,
    );
  }
  percent('failurePercentageThreshold', o.failurePercentageThreshold);
  percent('enforcingConsecutive5xx', o.enforcingConsecutive5xx);
  percent('enforcingConsecutiveGatewayFailure', o.enforcingConsecutiveGatewayFailure);
  percent('enforcingConsecutiveLocalOriginFailure', o.enforcingConsecutiveLocalOriginFailure);
  percent('enforcingSuccessRate', o.enforcingSuccessRate);
  percent('enforcingFailurePercentage', o.enforcingFailurePercentage);
  if (typeof o.splitExternalLocalOriginErrors !== 'boolean') {
    throw new TypeError('outlierDetection.splitExternalLocalOriginErrors must be a boolean');
  }
  if (typeof o.alwaysEjectOneHost !== 'boolean') {
    throw new TypeError('outlierDetection.alwaysEjectOneHost must be a boolean');
  }
  return Object.freeze(o);
}
