// Tail latency under one slow replica, HTTP and gRPC: three replicas (each its own process, 2 ms
// answers), then the same three with one 10× slower (20 ms). Closed loop at c = 16 and c = 64;
// Breakwater with its defaults against the raw clients a user would otherwise pick over the same three
// (undici BalancedPool, grpc-js round_robin). Every round builds fresh clients (no state carried from
// the other scenario), warms them for WARM_MS unmeasured, then measures; contenders and scenarios are
// interleaved round after round. Servers count what they received, so the slow replica's share and the
// extra calls (hedges, retries) are what reached the wire.
import { median, quantile, writeResults } from './lib/harness.js';
import { versionOf } from './lib/machine.js';
import {
  breakwaterGrpc,
  breakwaterHttp,
  type Contender,
  rawBalancedPool,
  rawRoundRobin,
} from './tail/contenders.js';
import { type Replica, startReplicas } from './tail/replicas.js';

const rounds = Number(process.env.BENCH_TAIL_ROUNDS ?? 5);
const roundMs = Number(process.env.BENCH_TAIL_ROUND_MS ?? 2_000);
const levels = (process.env.BENCH_TAIL_LEVELS ?? '16,64').split(',').map(Number);
const WARM_MS = 500;
const FAST_MS = 2;
const SLOW_MS = 20;

type Factory = (replicas: readonly Replica[]) => Contender;
const factories: readonly {
  name: string;
  protocol: 'HTTP' | 'gRPC';
  make: Factory;
  raw: boolean;
  /** Its figures are the goals' (the defaults). */
  goals?: true;
}[] = [
  { name: 'undici BalancedPool', protocol: 'HTTP', make: rawBalancedPool, raw: true },
  {
    name: 'Breakwater HTTP (defaults)',
    protocol: 'HTTP',
    make: (r) => breakwaterHttp(r),
    raw: false,
    goals: true,
  },
  {
    name: 'Breakwater HTTP (defaults + adaptive hedging)',
    protocol: 'HTTP',
    make: (r) => breakwaterHttp(r, true),
    raw: false,
  },
  { name: 'grpc-js round_robin', protocol: 'gRPC', make: rawRoundRobin, raw: true },
  { name: 'Breakwater gRPC (defaults)', protocol: 'gRPC', make: breakwaterGrpc, raw: false, goals: true },
];
const scenarios = [
  { name: 'all healthy', delays: [FAST_MS, FAST_MS, FAST_MS] },
  { name: 'one 10× slow', delays: [FAST_MS, FAST_MS, SLOW_MS] },
] as const;
const SLOW_INDEX = 2;

interface Measured {
  rps: number[];
  latencies: number[];
  served: number[];
  completed: number;
  errors: number;
}

async function closedLoop(
  fn: () => Promise<unknown>,
  concurrency: number,
  durationMs: number,
  latencies: number[] | undefined,
): Promise<{ completed: number; errors: number; rps: number }> {
  let completed = 0;
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + durationMs;
  const worker = async (): Promise<void> => {
    for (;;) {
      const start = performance.now();
      if (start >= end) return;
      try {
        await fn();
        completed++;
        latencies?.push(performance.now() - start);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { completed, errors, rps: (completed / (performance.now() - t0)) * 1000 };
}

const replicas = await startReplicas([FAST_MS, FAST_MS, FAST_MS]);
const setScenario = (delays: readonly number[]): void => {
  for (const [i, d] of delays.entries()) replicas[i]!.setDelay(d);
};
const takeCounts = (): Promise<number[]> => Promise.all(replicas.map((r) => r.takeCount()));

const results = new Map<string, Measured>();
const key = (c: number, f: string, s: string): string => `${c}|${f}|${s}`;

try {
  // Warm the JIT of every client path once, in both scenarios.
  for (const s of scenarios) {
    setScenario(s.delays);
    for (const f of factories) {
      const c = f.make(replicas);
      await closedLoop(c.fn, 16, 1_000, undefined);
      await c.close();
    }
  }
  for (const concurrency of levels) {
    for (let r = 0; r < rounds; r++) {
      for (let si = 0; si < scenarios.length; si++) {
        const s = scenarios[(si + r) % scenarios.length]!;
        setScenario(s.delays);
        for (let k = 0; k < factories.length; k++) {
          const f = factories[(k + r) % factories.length]!;
          const c = f.make(replicas);
          await closedLoop(c.fn, concurrency, WARM_MS, undefined);
          await takeCounts();
          const m = results.get(key(concurrency, f.name, s.name)) ?? {
            rps: [],
            latencies: [],
            served: [0, 0, 0],
            completed: 0,
            errors: 0,
          };
          const run = await closedLoop(c.fn, concurrency, roundMs, m.latencies);
          const counts = await takeCounts();
          await c.close();
          m.rps.push(run.rps);
          m.completed += run.completed;
          m.errors += run.errors;
          counts.forEach((n, i) => {
            m.served[i]! += n;
          });
          results.set(key(concurrency, f.name, s.name), m);
        }
      }
    }
  }
} finally {
  await Promise.all(replicas.map((r) => r.close()));
}

const metrics: Record<string, number> = {};
const sections: string[] = [];
const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;
for (const concurrency of levels) {
  const lines = [
    `### c = ${concurrency}`,
    '',
    '| client | replicas | req/s (median) | vs healthy | p50 ms | p99 ms | p99.9 ms | p99 vs healthy | p99 vs raw | slow replica share | extra calls | errors |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const f of factories) {
    const raw = factories.find((x) => x.protocol === f.protocol && x.raw)!;
    for (const s of scenarios) {
      const m = results.get(key(concurrency, f.name, s.name))!;
      const h = results.get(key(concurrency, f.name, scenarios[0].name))!;
      const rm = results.get(key(concurrency, raw.name, s.name))!;
      const rps = median(m.rps);
      const p99 = quantile(m.latencies, 0.99);
      const p99Healthy = quantile(h.latencies, 0.99);
      const p99Raw = quantile(rm.latencies, 0.99);
      const served = m.served.reduce((a, b) => a + b, 0);
      const share = m.served[SLOW_INDEX]! / Math.max(1, served);
      const extra = served / Math.max(1, m.completed + m.errors) - 1;
      const slow = s !== scenarios[0];
      lines.push(
        `| ${f.name} | ${s.name} | ${rps.toFixed(0)} | ${(rps / median(h.rps)).toFixed(2)}× | ${quantile(m.latencies, 0.5).toFixed(2)} | ${p99.toFixed(2)} | ${quantile(m.latencies, 0.999).toFixed(2)} | ${(p99 / p99Healthy).toFixed(2)}× | ${f.raw ? '—' : `${(p99 / p99Raw).toFixed(2)}×`} | ${slow ? pct(share) : '—'} | ${pct(extra)} | ${m.errors} |`,
      );
      if (f.goals === true && slow) {
        const p = `tail.${f.protocol === 'HTTP' ? 'http' : 'grpc'}.c${concurrency}`;
        metrics[`${p}.p99VsHealthy`] = p99 / p99Healthy;
        metrics[`${p}.throughputVsHealthy`] = rps / median(h.rps);
        metrics[`${p}.p99VsRaw`] = p99 / p99Raw;
        metrics[`${p}.extraCallsPct`] = 100 * extra;
        metrics[`${p}.slowSharePct`] = 100 * share;
      }
    }
  }
  const table = lines.join('\n');
  console.log(`\n${table}\n`);
  sections.push(table);
}

writeResults(
  'tail',
  'Tail latency under one slow replica: Breakwater defaults vs undici BalancedPool and grpc-js round_robin',
  'npm run bench -- tail',
  [
    `Versions: undici ${versionOf('undici')}, @grpc/grpc-js ${versionOf('@grpc/grpc-js')}. Three replicas, each a`,
    `separate process on 127.0.0.1 serving HTTP (node:http) and gRPC, answering after ${FAST_MS} ms; in the`,
    `"one 10× slow" scenario the third answers after ${SLOW_MS} ms. Closed loop; ${rounds} interleaved rounds of`,
    `${roundMs} ms per client, scenario and concurrency, each with fresh clients warmed ${WARM_MS} ms unmeasured.`,
    'Throughput is the median over rounds; percentiles pool every round\'s latencies. "slow replica share" and',
    '"extra calls" (hedges and retries beyond one request per call) count what the replicas received. Breakwater',
    "runs with its defaults: `services: { echo: {} }` (HTTP GET) and `idempotentMethods: ['Ping']` (gRPC);",
    "one more HTTP row adds adaptive hedging (`hedge: {}`: after the p95 of the service's attempts).",
    '',
    'Reading it: the raw clients send the slow replica a third of the calls, so their p99 is its latency.',
    "Breakwater's balancer (P2C peak-EWMA with the slow gate and probes, see @breakwater/loadbalance) keeps",
    'it to its probes. On this 2-core host grpc-js is CPU-bound at these rates: its healthy p99 (raw and',
    "Breakwater alike) is already above the slow replica's 20 ms, so a p99 ratio to raw round_robin says",
    "little there; the slow replica's share and p99 vs healthy are the figures that do. Hedging on a",
    'saturated host (c = 64) fires on event-loop lateness and costs each losing HTTP/1.1 attempt its connection.',
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n'),
  metrics,
);
