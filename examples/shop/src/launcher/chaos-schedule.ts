// The chaos timeline: what happens when, relative to the start of the load, as a pure function of the run's
// duration, the number of instances and the seed, so it can be printed up front and tested without processes.

/** An `HttpFaultSpec` of @breakwater/chaos, as JSON for `POST /admin/faults` (`{}` clears). */
export type FaultSpecJson = Readonly<Record<string, unknown>>;

export type ChaosAction =
  | { readonly kind: 'faults'; readonly target: string; readonly spec: FaultSpecJson }
  | { readonly kind: 'kill'; readonly target: string }
  | { readonly kind: 'restart'; readonly target: string }
  | { readonly kind: 'clear'; readonly targets: readonly string[] };

export interface ChaosEvent {
  /** Milliseconds after the start of the load. */
  readonly atMs: number;
  /** The share of the duration, 0–1, that `atMs` stands for. */
  readonly fraction: number;
  readonly action: ChaosAction;
  /** What a human reads: `slow catalog-1 (latency 200–400 ms)`. */
  readonly label: string;
  /** The service the event is about, to relate it to the dashboard's breaker events. */
  readonly services: readonly string[];
}

export interface ChaosScheduleOptions {
  readonly durationMs: number;
  /** Instances per backend (targets are `<service>-1` … `<service>-<instances>`). */
  readonly instances: number;
  readonly seed: number;
}

export const SLOW_SPEC: FaultSpecJson = Object.freeze({
  latency: { rate: 1, distribution: { kind: 'uniform', minMs: 200, maxMs: 400 } },
});
export const FAIL_SPEC: FaultSpecJson = Object.freeze({ error: { rate: 0.5, status: 503 } });

/** Fractions of the duration, as in the issue: slow, fail, kill, restart, clear. */
export const FRACTIONS = Object.freeze({ slow: 0.15, fail: 0.3, kill: 0.5, restart: 0.7, clear: 0.85 });

/**
 * The seed rotates the targets over the instances: seed 1 (the default) slows catalog-1, fails cart-2 and
 * kills pricing-3, as the demo script says; seed 2 takes catalog-2, cart-3, pricing-1; and so on.
 */
export function chaosTargets(instances: number, seed: number): { slow: string; fail: string; kill: string } {
  if (!Number.isInteger(instances) || instances < 1) {
    throw new RangeError(`instances must be a positive integer, got ${instances}`);
  }
  if (!Number.isInteger(seed) || seed < 0)
    throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
  const pick = (k: number): number => ((((k + seed - 1) % instances) + instances) % instances) + 1;
  return { slow: `catalog-${pick(0)}`, fail: `cart-${pick(1)}`, kill: `pricing-${pick(2)}` };
}

export function chaosSchedule(options: ChaosScheduleOptions): readonly ChaosEvent[] {
  const { durationMs } = options;
  if (!Number.isFinite(durationMs) || durationMs <= 0) {
    throw new RangeError(`durationMs must be a positive number, got ${durationMs}`);
  }
  const t = chaosTargets(options.instances, options.seed);
  const at = (fraction: number): number => Math.round(durationMs * fraction);
  const event = (fraction: number, action: ChaosAction, label: string, services: string[]): ChaosEvent =>
    Object.freeze({ atMs: at(fraction), fraction, action, label, services: Object.freeze(services) });
  return Object.freeze([
    event(
      FRACTIONS.slow,
      { kind: 'faults', target: t.slow, spec: SLOW_SPEC },
      `slow ${t.slow} (latency 200–400 ms on every request)`,
      ['catalog'],
    ),
    event(
      FRACTIONS.fail,
      { kind: 'faults', target: t.fail, spec: FAIL_SPEC },
      `fail ${t.fail} (503 on 50 % of requests)`,
      ['cart'],
    ),
    event(FRACTIONS.kill, { kind: 'kill', target: t.kill }, `kill -9 ${t.kill}`, ['pricing']),
    event(FRACTIONS.restart, { kind: 'restart', target: t.kill }, `restart ${t.kill} on the same port`, [
      'pricing',
    ]),
    event(
      FRACTIONS.clear,
      { kind: 'clear', targets: [t.slow, t.fail] },
      `clear the faults on ${t.slow} and ${t.fail}`,
      ['catalog', 'cart'],
    ),
  ]);
}
