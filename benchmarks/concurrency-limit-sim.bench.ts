// Load shedding under overload, simulated: a server with a fixed capacity behind no limit, a fixed
// Bulkhead, or an AdaptiveLimiter (AIMD, Vegas, Gradient2), as offered load rises to 2× capacity.
// Deterministic (virtual clock, fixed seeds): the figures are the same on every machine.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AdaptiveLimiter,
  AimdLimit,
  Bulkhead,
  FixedLimit,
  Gradient2Limit,
  VegasLimit,
  WindowedLimit,
} from '@breakwater/breaker';
import {
  baselineP99,
  capacity,
  markdownTable,
  meetsGoal,
  runScenario,
  SCENARIO,
  type Summary,
  summarize,
  svgChart,
  type Variant,
} from './concurrency-limit-sim/index.js';
import { suite, suiteTable, writeResults } from './lib/harness.js';

const sc = SCENARIO;
const variants: Variant[] = [
  { label: 'no limit', guard: { kind: 'none' } },
  { label: 'Bulkhead(64)', guard: { kind: 'bulkhead', maxConcurrent: 64 } },
  { label: 'Bulkhead(12)', guard: { kind: 'bulkhead', maxConcurrent: 12 } },
  {
    label: 'AIMD (timeout 25)',
    guard: { kind: 'adaptive', make: () => new AimdLimit({ minLimit: 1, timeoutMs: 25 }) },
  },
  {
    label: 'Windowed AIMD (timeout 25)',
    guard: {
      kind: 'adaptive',
      make: () =>
        new WindowedLimit(new AimdLimit({ minLimit: 1, timeoutMs: 25 }), {
          minWindowMs: 100,
          maxWindowMs: 100,
        }),
    },
  },
  { label: 'Vegas', guard: { kind: 'adaptive', make: (random) => new VegasLimit({ random }) } },
  { label: 'Gradient2 per call', guard: { kind: 'adaptive', make: () => new Gradient2Limit() } },
  {
    label: 'Windowed Gradient2',
    guard: { kind: 'adaptive', make: () => new WindowedLimit(new Gradient2Limit()) },
  },
  {
    label: 'Windowed Gradient2 (min 1)',
    guard: { kind: 'adaptive', make: () => new WindowedLimit(new Gradient2Limit({ minLimit: 1 })) },
  },
];

const runs = variants.map((v) => {
  const t0 = performance.now();
  const r = runScenario(sc, v);
  console.log(`${v.label.padEnd(24)} simulated in ${(performance.now() - t0).toFixed(0)} ms`);
  return r;
});
const base = baselineP99(sc, runs[0]!);
const rows: Summary[] = runs.map((r) => summarize(sc, r));
const table = markdownTable(rows, base);
console.log(`\nunloaded p99 ${base.toFixed(1)} ms, capacity ${capacity(sc).toFixed(0)} req/s\n${table}`);

// Robustness: the same comparison with other seeds (adaptive variants only).
const robust: string[] = [];
for (const seed of [1, 2, 3]) {
  const s2 = { ...sc, seed };
  const b2 = baselineP99(s2, runScenario(s2, variants[0]!));
  for (const v of variants.filter((x) => x.guard.kind === 'adaptive')) {
    const s = summarize(s2, runScenario(s2, v));
    robust.push(
      `| ${seed} | ${v.label} | ${(s.goodput * 100).toFixed(1)}% | ${s.p99.toFixed(1)} | ${(s.p99 / b2).toFixed(2)}× | ${meetsGoal(s, b2) ? 'met' : 'not met'} |`,
    );
  }
}

// The cost of the permit path itself (real clock), against a Bulkhead's, in the same run.
const bulkhead = new Bulkhead({ maxConcurrent: 1_000 });
const limiters = {
  fixed: new AdaptiveLimiter({ limit: new FixedLimit(1_000) }),
  aimd: new AdaptiveLimiter({ limit: new AimdLimit() }),
  vegas: new AdaptiveLimiter({ limit: new VegasLimit() }),
  gradient2: new AdaptiveLimiter({ limit: new Gradient2Limit() }),
  windowed: new AdaptiveLimiter({ limit: new WindowedLimit(new Gradient2Limit()) }),
};
const permitCase = (name: string, guard: { tryAcquire(): { success(ms?: number): void } | undefined }) => ({
  name,
  fn: () => guard.tryAcquire()!.success(1),
});
const measuredCase = (name: string, limiter: AdaptiveLimiter) => ({
  name,
  fn: () => limiter.tryAcquire()!.success(),
});
const overhead = await suite('Permit path: tryAcquire() + success()', [
  permitCase('Bulkhead (baseline)', bulkhead),
  permitCase('AdaptiveLimiter(FixedLimit)', limiters.fixed),
  permitCase('AdaptiveLimiter(AimdLimit)', limiters.aimd),
  permitCase('AdaptiveLimiter(VegasLimit)', limiters.vegas),
  permitCase('AdaptiveLimiter(Gradient2Limit)', limiters.gradient2),
  permitCase('AdaptiveLimiter(WindowedLimit(Gradient2Limit))', limiters.windowed),
  measuredCase('AdaptiveLimiter(Gradient2Limit), success() measures the RTT', limiters.gradient2),
]);

const here = dirname(fileURLToPath(import.meta.url));
writeFileSync(join(here, 'results', 'concurrency-limit-sim.svg'), svgChart(sc, runs, base));
console.log('wrote benchmarks/results/concurrency-limit-sim.svg');

const met = rows.filter((s) => meetsGoal(s, base)).map((s) => s.label);
const body = `A server with ${sc.workers} workers and an unbounded FIFO queue serves log-normal work (median ${sc.medianMs} ms,
σ ${sc.sigma}; capacity ≈ ${capacity(sc).toFixed(0)} req/s). Open-loop Poisson clients offer 0.5× capacity for 15 s, a ramp
to 2× by 45 s, 2× until 80 s, then 0.5× again for 20 s; a client gives up after ${sc.clientTimeoutMs} ms (the server,
not knowing, still does the work). In front of the queue: nothing, a fixed \`Bulkhead\` (no queue), or an
\`AdaptiveLimiter\` with each algorithm, shedding with an immediate 503 — the real classes, on the simulation's clock,
each permit settled with \`success(rtt)\` at completion. Virtual clock, seed ${sc.seed}: deterministic.

Figures over the 2× plateau (${sc.overload[0] / 1000}–${sc.overload[1] / 1000} s). Goodput = responses within the client
timeout, per second, over capacity. Unloaded p99 = p99 with no limit at 0.5× load (${sc.baseline[0] / 1000}–${sc.baseline[1] / 1000} s):
**${base.toFixed(1)} ms**. Goal: p99 ≤ 2× that (${(2 * base).toFixed(1)} ms) with goodput ≥ 90% of capacity.

${table}

Goal met by: ${met.length === 0 ? 'none' : met.join(', ')}.

Algorithm settings: AIMD \`{ minLimit: 1, timeoutMs: 25 }\` — Netflix's defaults (min 20, timeout 5 s) cannot see
this overload: a 5 s timeout never fires and 20 in flight is already 2.5× the workers; 25 ms is about 1.25× the
unloaded p99. Per call, AIMD adds 1 per success and cuts 10% per slow call, so at ~765 samples/s it saws between
"too high" and "too low"; fed one averaged sample per 100 ms (\`WindowedLimit\`) it settles. Vegas with Netflix's
defaults, per call. Gradient2 with Netflix's defaults per call, then behind \`WindowedLimit\` (1 s windows, as
Netflix deploys it): per call, its 600-sample long-term average spans under a second at this rate, follows the
overload up, and the limit climbs to its maximum (200); per 1 s window it spans ~10 minutes and holds the
baseline. "recovered" is goodput over offered load in the last 10 s, back at 0.5× load.

Caveats: \`Bulkhead(12)\` is tuned by hand knowing the answer, and so are AIMD's 25 ms timeout and 100 ms
window (picked after trying a few on this scenario). Windowed Gradient2 with defaults stays at its minimum, 20,
throughout the overload: it meets the goal because 20 in flight (12 queued behind 8 workers) happens to cost less
than 2× here, not because it found the capacity; with \`minLimit: 1\` it averages 18.5. Vegas alone settles near
the worker count (8.9), at 92% goodput, and back at half load keeps shedding ~1.3%.

![goodput, p99 latency and limit over time](concurrency-limit-sim.svg)

Other seeds (adaptive limiters):

| seed | guard | goodput / capacity | p99 ms | p99 / unloaded p99 | goal |
| ---: | --- | ---: | ---: | ---: | :---: |
${robust.join('\n')}

The cost of the permit path on the real clock (a micro-benchmark, so machine-dependent: read the ratios). Each
limiter permit reads the clock once at admission (its start time, fed to the algorithm) and, when
\`success()\` is given no RTT, once more at the end.

${suiteTable('Permit path: tryAcquire() + success()', overhead)}`;

writeResults(
  'concurrency-limit-sim',
  'Adaptive concurrency limits: overload simulation',
  'npx tsc -b packages/breaker && node scripts/run-benchmarks.mjs concurrency-limit-sim',
  body,
  (() => {
    const vegas = rows.find((r) => r.label.startsWith('Vegas'))!;
    return {
      'concurrency-limit-sim.vegas.p99-ratio': vegas.p99 / base,
      'concurrency-limit-sim.vegas.goodput': vegas.goodput,
    };
  })(),
);
