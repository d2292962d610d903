// End-to-end HTTP benchmark: the same upstream (another process, loopback), closed-loop load at
// c = 1, 16, 64; each contender is a client process of its own; rounds are interleaved and every
// contender is compared to raw undici measured in the same rounds.

import { writeFileSync } from 'node:fs';
import type { LoadResult } from './http/load.js';
import { startUpstream } from './http/upstream.js';
import { WorkerContender } from './http/worker-client.js';
import { median, writeResults } from './lib/harness.js';
import { versionOf } from './lib/machine.js';
import { barChart } from './lib/svg.js';

const rounds = Number(process.env.BENCH_HTTP_ROUNDS ?? 9);
const roundMs = Number(process.env.BENCH_HTTP_ROUND_MS ?? 1000);
const levels = [1, 16, 64];

const upstream = await startUpstream();
// Each contender is its own client process; the first is the baseline.
type Contender = WorkerContender;
const contenders: Contender[] = [];
for (const key of ['raw', 'breakwater', 'raw-traced', 'opossum', 'cockatiel']) {
  contenders.push(await WorkerContender.start(key, upstream.port));
}

const sections: string[] = [];
const metrics: Record<string, number> = {};
const ratios = new Map<Contender, number[]>(contenders.map((c) => [c, []]));
try {
  for (const c of contenders) for (const n of levels) await c.run(n, 400); // warm up connections and JIT
  for (const concurrency of levels) {
    const results = new Map<Contender, LoadResult[]>(contenders.map((c) => [c, []]));
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < contenders.length; k++) {
        const c = contenders[(k + r) % contenders.length]!;
        results.get(c)!.push(await c.run(concurrency, roundMs));
      }
    }
    const base = median(results.get(contenders[0]!)!.map((x) => x.rps));
    const lines = [
      `### c = ${concurrency}`,
      '',
      '| client | req/s (median) | spread (min–max) | vs raw undici | p50 ms | p99 ms | client CPU µs/req | errors |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ];
    for (const c of contenders) {
      const rs = results.get(c)!;
      const rps = rs.map((x) => x.rps);
      const m = median(rps);
      ratios.get(c)!.push(m / base);
      if (c === contenders[1]) {
        metrics[`http.c${concurrency}.ratio`] = m / base;
        metrics[`http.c${concurrency}.cpuUsPerRequest`] = median(rs.map((x) => x.cpuUsPerRequest));
      }
      if (c === contenders[0])
        metrics[`http.c${concurrency}.raw.cpuUsPerRequest`] = median(rs.map((x) => x.cpuUsPerRequest));
      lines.push(
        `| ${c.name} | ${m.toFixed(0)} | ${Math.min(...rps).toFixed(0)}–${Math.max(...rps).toFixed(0)} | ${(m / base).toFixed(2)}× | ${median(rs.map((x) => x.p50Ms)).toFixed(3)} | ${median(rs.map((x) => x.p99Ms)).toFixed(3)} | ${median(rs.map((x) => x.cpuUsPerRequest)).toFixed(1)} | ${rs.reduce((a, x) => a + x.errors, 0)} |`,
      );
    }
    const table = lines.join('\n');
    console.log(`\n${table}\n`);
    sections.push(table);
  }
} finally {
  for (const c of contenders) await c.close();
  await upstream.close();
}

writeFileSync(
  new URL('./results/http.svg', import.meta.url),
  barChart(
    'HTTP throughput relative to raw undici (same run, loopback)',
    levels.map((c) => `c = ${c}`),
    contenders.map((c) => ({ name: c.name, values: ratios.get(c)! })),
    { yLabel: '× raw undici req/s', reference: { value: 0.95, label: 'goal 0.95×' } },
  ),
);

writeResults(
  'http',
  'HTTP end to end: Breakwater full pipeline vs raw undici, opossum and cockatiel',
  'npm run bench -- http',
  [
    `Versions: undici ${versionOf('undici')}, opossum ${versionOf('opossum')}, cockatiel ${versionOf('cockatiel')}.`,
    `Upstream: node:http in a separate process on 127.0.0.1, 11-byte JSON answer, keep-alive. Each client runs in`,
    'its own process (no shared JIT state or garbage between contenders), driven round by round. Closed loop,',
    `${rounds} interleaved rounds of ${roundMs} ms per contender and concurrency; medians over rounds.`,
    'Breakwater runs with everything on: static registry, P2C peak-EWMA, endpoint breakers and outlier',
    'detection, service breaker, bulkhead, retry with budget, total timeout, traceparent injection (no SDK).',
    'opossum: default 10 s timeout. cockatiel: retry(3) + consecutive breaker + cooperative timeout.',
    'Goal: Breakwater ≥ 0.95× raw undici at c = 16 and c = 64. "raw undici + traceparent" is raw undici sending',
    'a traceparent with a new span id per request (what any traced client sends): the gap between it and raw',
    'undici is the price of trace propagation itself (header bytes for undici and for the server, which shares the',
    "machine's 2 cores), not of Breakwater's pipeline. benchmarks/results/http-overhead.md measures the pipeline's",
    'own CPU per call without I/O.',
    '',
    '![throughput relative to raw undici](http.svg)',
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n'),
  metrics,
);
