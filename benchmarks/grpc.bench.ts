// End-to-end gRPC benchmark: the same grpc-js upstream (another process, loopback), closed-loop
// unary load at c = 1 and c = 64; contenders run interleaved, round after round, and are compared
// to raw grpc-js measured in the same rounds.
import { breakwaterGrpc, type Contender, rawGrpc, rawGrpcTraced } from './grpc/contenders.js';
import { startGrpcUpstream } from './grpc/upstream.js';
import { type LoadResult, runLoad } from './http/load.js';
import { median, writeResults } from './lib/harness.js';
import { versionOf } from './lib/machine.js';

const rounds = Number(process.env.BENCH_GRPC_ROUNDS ?? 5);
const roundMs = Number(process.env.BENCH_GRPC_ROUND_MS ?? 1000);
const levels = [1, 64];

const upstream = await startGrpcUpstream();
const contenders: Contender[] = [
  rawGrpc(upstream.port),
  breakwaterGrpc(upstream.port),
  rawGrpcTraced(upstream.port),
];

const sections: string[] = [];
const metrics: Record<string, number> = {};
try {
  // Warm up connections and the JIT (the pipeline has more code to optimise than raw grpc-js; short
  // warm-ups measured mostly the interpreter), twice round, at both concurrencies.
  for (let w = 0; w < 2; w++) {
    for (const c of contenders) {
      await runLoad(c.fn, 16, 1_000);
      await runLoad(c.fn, 1, 500);
    }
  }
  for (const concurrency of levels) {
    const results = new Map<Contender, LoadResult[]>(contenders.map((c) => [c, []]));
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < contenders.length; k++) {
        const c = contenders[(k + r) % contenders.length]!;
        results.get(c)!.push(await runLoad(c.fn, concurrency, roundMs));
      }
    }
    const base = median(results.get(contenders[0]!)!.map((x) => x.rps));
    const lines = [
      `### c = ${concurrency}`,
      '',
      '| client | req/s (median) | spread (min–max) | vs raw grpc-js | p50 ms | p99 ms | client CPU µs/req | errors |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ];
    for (const c of contenders) {
      const rs = results.get(c)!;
      const rps = rs.map((x) => x.rps);
      const m = median(rps);
      const cpu = median(rs.map((x) => x.cpuUsPerRequest));
      if (c === contenders[1]) {
        metrics[`grpc.c${concurrency}.ratio`] = m / base;
        metrics[`grpc.c${concurrency}.cpuUsPerRequest`] = cpu;
      }
      if (c === contenders[0]) metrics[`grpc.c${concurrency}.raw.cpuUsPerRequest`] = cpu;
      lines.push(
        `| ${c.name} | ${m.toFixed(0)} | ${Math.min(...rps).toFixed(0)}–${Math.max(...rps).toFixed(0)} | ${(m / base).toFixed(2)}× | ${median(rs.map((x) => x.p50Ms)).toFixed(3)} | ${median(rs.map((x) => x.p99Ms)).toFixed(3)} | ${cpu.toFixed(1)} | ${rs.reduce((a, x) => a + x.errors, 0)} |`,
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

writeResults(
  'grpc',
  'gRPC end to end: Breakwater full pipeline vs raw grpc-js (unary)',
  'npm run bench -- grpc',
  [
    `Versions: @grpc/grpc-js ${versionOf('@grpc/grpc-js')}. Upstream: a grpc-js server in a separate process on`,
    '127.0.0.1 answering an 11-byte unary reply (identity serializers, so protobuf costs nothing to either side).',
    `Closed loop, ${rounds} interleaved rounds of ${roundMs} ms per contender and concurrency; medians over rounds.`,
    'Breakwater runs with everything on: static registry, P2C peak-EWMA, endpoint breaker and outlier detection,',
    'service breaker, bulkhead, retry with budget, a 5 s deadline (sent as grpc-timeout), traceparent per attempt',
    '(no OpenTelemetry SDK), one grpc-js channel per endpoint. "raw grpc-js + traceparent + deadline" sends what',
    'any traced client with a deadline sends, to separate the cost of propagation from the pipeline itself.',
    'Goal: Breakwater ≥ 0.95× raw grpc-js at c = 64. Shared, noisy 2-core VM: quote ratios, not absolute figures.',
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n'),
  metrics,
);
