// The Linkerd "beyond round robin" experiment as a deterministic discrete-event simulation:
// N endpoints, one of them `slowFactor`× slower for part of the run, an open-loop Poisson load at a
// fixed rate, a client-side timeout. Everything runs on a virtual clock from fixed seeds.
import { Balancer, type BalancerOptions, type PolicyName } from '@breakwater/loadbalance';
import { EventQueue } from '../lib/event-queue.js';
import { exponential, mulberry32 } from '../lib/rng.js';
import { SimServer } from './server.js';

export interface Scenario {
  endpoints: number;
  workers: number;
  medianMs: number;
  sigma: number;
  ratePerSec: number;
  durationMs: number;
  timeoutMs: number;
  /** Which endpoint slows down, by how much, and when (none for the all-healthy baseline). */
  slow?: { index: number; factor: number; from: number; to: number };
  /** Distinct affinity keys drawn uniformly (for ring-hash / Maglev). */
  keys: number;
  seed: number;
}

export const LINKERD_SCENARIO: Scenario = {
  endpoints: 10,
  workers: 10,
  medianMs: 10,
  sigma: 0.5,
  ratePerSec: 3000,
  durationMs: 60_000,
  timeoutMs: 1000,
  slow: { index: 3, factor: 10, from: 20_000, to: 40_000 },
  keys: 100_000,
  seed: 42,
};

export interface Variant {
  label: string;
  policy: PolicyName;
  options?: Omit<BalancerOptions, 'policy' | 'clock' | 'random'>;
}

export interface RunResult {
  label: string;
  requests: number;
  succeeded: number;
  /** Client-observed latency per request in ms; timeouts count as `timeoutMs`. */
  latencies: Float64Array;
  /** Latencies of requests that arrived while the slow endpoint was slow. */
  slowWindow: Float64Array;
  /** Share of requests sent to the slow endpoint during its slow window. */
  slowShare: number;
  ejections: number;
}

export function runScenario(sc: Scenario, variant: Variant): RunResult {
  const events = new EventQueue();
  const clock = { now: () => events.now };
  const arrivals = mulberry32(sc.seed);
  const keyRng = mulberry32(sc.seed + 1);
  const balancer = new Balancer({
    ...variant.options,
    policy: variant.policy,
    clock,
    random: mulberry32(sc.seed + 2),
  });
  let ejections = 0;
  balancer.on('eject', () => ejections++);
  const servers = Array.from(
    { length: sc.endpoints },
    (_, i) =>
      new SimServer(
        {
          workers: sc.workers,
          medianMs: sc.medianMs,
          sigma: sc.sigma,
          ...(sc.slow !== undefined && sc.slow.index === i
            ? { slowdown: { factor: sc.slow.factor, from: sc.slow.from, to: sc.slow.to } }
            : {}),
        },
        events,
        mulberry32(sc.seed + 100 + i),
      ),
  );
  balancer.update(servers.map((_, i) => ({ id: `ep-${i}`, host: '10.0.0.1', port: 9000 + i })));
  const serverById = new Map(servers.map((s, i) => [`ep-${i}`, s]));

  const expected = Math.ceil((sc.ratePerSec * sc.durationMs) / 1000) * 2;
  const latencies = new Float64Array(expected);
  const slowWindow = new Float64Array(expected);
  let requests = 0;
  let succeeded = 0;
  let inWindow = 0;
  let toSlow = 0;
  const slowId = sc.slow === undefined ? '' : `ep-${sc.slow.index}`;
  const meanGap = 1000 / sc.ratePerSec;

  const record = (arrival: number, latency: number) => {
    latencies[requests++] = latency;
    if (sc.slow !== undefined && arrival >= sc.slow.from && arrival < sc.slow.to)
      slowWindow[inWindow++] = latency;
  };

  const arrive = () => {
    const arrival = events.now;
    const picked = balancer.pick({ key: `user-${Math.floor(keyRng() * sc.keys)}` });
    if (picked.type === 'pick') {
      const server = serverById.get(picked.endpoint.id)!;
      if (picked.endpoint.id === slowId && arrival >= sc.slow!.from && arrival < sc.slow!.to) toSlow++;
      let settled = false;
      picked.start();
      server.submit(() => {
        if (settled) return;
        settled = true;
        const latency = events.now - arrival;
        picked.done(latency, 'success');
        succeeded++;
        record(arrival, latency);
      });
      events.at(arrival + sc.timeoutMs, () => {
        if (settled) return;
        settled = true;
        // The client gives up; the server keeps working on it (it cannot know).
        picked.done(sc.timeoutMs, 'local-origin-error');
        record(arrival, sc.timeoutMs);
      });
    } else {
      record(arrival, sc.timeoutMs); // no endpoint: a failure, charged as a timeout
    }
    const next = arrival + exponential(arrivals, meanGap);
    if (next < sc.durationMs) events.at(next, arrive);
  };
  events.at(0, arrive);
  // The owner drives outlier detection; no timers in the balancer.
  for (let t = 100; t < sc.durationMs + sc.timeoutMs; t += 100) events.at(t, () => balancer.evaluate(t));
  events.run();
  balancer.close();
  return {
    label: variant.label,
    requests,
    succeeded,
    latencies: latencies.subarray(0, requests),
    slowWindow: slowWindow.subarray(0, inWindow),
    slowShare: inWindow === 0 ? 0 : toSlow / inWindow,
    ejections,
  };
}
