// The simulated server and its load. A server with `workers` workers and an unbounded FIFO
// queue (what a Node service does when nothing sheds: requests wait in the event loop's
// backlog) serves log-normal work; open-loop Poisson clients arrive at a rate that rises past
// capacity to 2× and falls back. In front of it sits nothing, a fixed Bulkhead, or an
// AdaptiveLimiter — the real classes from @breakwater/breaker, on the simulation's clock.
import { AdaptiveLimiter, Bulkhead, type LimitAlgorithm } from '@breakwater/breaker';
import { EventQueue } from '../lib/event-queue.js';
import { exponential, logNormal, mulberry32 } from '../lib/rng.js';

export interface Scenario {
  readonly workers: number;
  /** Median service time, ms (log-normal). */
  readonly medianMs: number;
  readonly sigma: number;
  /** Clients give up after this, ms; a later response is not goodput (the server still does the work). */
  readonly clientTimeoutMs: number;
  /** Offered load as a multiple of capacity: piecewise linear through these [ms, multiple] points. */
  readonly load: readonly (readonly [number, number])[];
  readonly durationMs: number;
  /** The window the headline figures are taken over (the 2× plateau, after 5 s to settle). */
  readonly overload: readonly [number, number];
  /** The window "unloaded" latency is taken from (0.5× capacity). */
  readonly baseline: readonly [number, number];
  readonly seed: number;
}

export const SCENARIO: Scenario = {
  workers: 8,
  medianMs: 10,
  sigma: 0.3,
  clientTimeoutMs: 1_000,
  load: [
    [0, 0.5],
    [15_000, 0.5],
    [45_000, 2],
    [80_000, 2],
    [80_001, 0.5],
    [100_000, 0.5],
  ],
  durationMs: 100_000,
  overload: [50_000, 80_000],
  baseline: [2_000, 15_000],
  seed: 7,
};

/** Capacity in requests/s: workers over the mean service time. */
export function capacity(sc: Scenario): number {
  const meanMs = sc.medianMs * Math.exp((sc.sigma * sc.sigma) / 2);
  return (sc.workers * 1000) / meanMs;
}

function loadAt(sc: Scenario, t: number): number {
  const pts = sc.load;
  for (let i = 1; i < pts.length; i++) {
    const [t1, v1] = pts[i]!;
    const [t0, v0] = pts[i - 1]!;
    if (t <= t1) return v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
  }
  return pts[pts.length - 1]![1];
}

export type Guard =
  | { kind: 'none' }
  | { kind: 'bulkhead'; maxConcurrent: number }
  | { kind: 'adaptive'; make: (random: () => number) => LimitAlgorithm };

export interface Variant {
  readonly label: string;
  readonly guard: Guard;
}

/** One simulated second. */
export interface Bucket {
  offered: number;
  shed: number;
  /** Responses within the client timeout. */
  good: number;
  /** Latencies of responses completed in this second. */
  latencies: number[];
  /** The limit at the end of the second (NaN without an adaptive limiter). */
  limit: number;
}

export interface RunResult {
  readonly label: string;
  readonly buckets: Bucket[];
}

interface Request {
  arrival: number;
  permit: { success(ms: number): void } | undefined;
}

export function runScenario(sc: Scenario, v: Variant): RunResult {
  const q = new EventQueue();
  const arrivals = mulberry32(sc.seed);
  const service = mulberry32(sc.seed + 1);
  const cap = capacity(sc);
  const clock = { now: () => q.now };
  const limiter =
    v.guard.kind === 'adaptive'
      ? new AdaptiveLimiter({ limit: v.guard.make(mulberry32(sc.seed + 2)), clock })
      : undefined;
  const bulkhead =
    v.guard.kind === 'bulkhead' ? new Bulkhead({ maxConcurrent: v.guard.maxConcurrent, clock }) : undefined;
  const guard = limiter ?? bulkhead;

  const seconds = Math.ceil(sc.durationMs / 1000);
  const buckets: Bucket[] = Array.from({ length: seconds }, () => ({
    offered: 0,
    shed: 0,
    good: 0,
    latencies: [],
    limit: Number.NaN,
  }));
  const bucket = (t: number): Bucket => buckets[Math.min(seconds - 1, Math.floor(t / 1000))]!;

  const waiting: Request[] = [];
  let head = 0;
  let busy = 0;

  const startService = (r: Request): void => {
    busy++;
    q.at(q.now + logNormal(service, sc.medianMs, sc.sigma), () => complete(r));
  };
  const complete = (r: Request): void => {
    busy--;
    const rtt = q.now - r.arrival;
    r.permit?.success(rtt);
    const b = bucket(q.now);
    b.latencies.push(rtt);
    if (rtt <= sc.clientTimeoutMs) b.good++;
    if (head < waiting.length) {
      const next = waiting[head]!;
      waiting[head++] = undefined as unknown as Request; // let it go
      if (head > 4096 && head * 2 > waiting.length) {
        waiting.splice(0, head);
        head = 0;
      }
      startService(next);
    }
  };
  const arrive = (): void => {
    const b = bucket(q.now);
    b.offered++;
    const permit = guard === undefined ? undefined : guard.tryAcquire();
    if (guard !== undefined && permit === undefined) {
      b.shed++; // a 503 at once; the client sees the refusal, not goodput
    } else {
      const r: Request = { arrival: q.now, permit };
      if (busy < sc.workers) startService(r);
      else waiting.push(r);
    }
    const rate = loadAt(sc, q.now) * cap; // req/s; the rate moves slowly, so sampling it per arrival is fine
    const next = q.now + exponential(arrivals, 1000 / rate);
    if (next < sc.durationMs) q.at(next, arrive);
  };

  q.at(0, arrive);
  for (let s = 1; s <= seconds; s++) {
    q.run(s * 1000);
    buckets[s - 1]!.limit = limiter?.limit ?? Number.NaN;
  }
  return { label: v.label, buckets };
}
