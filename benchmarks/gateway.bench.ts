// Gateway benchmark: the discovery-aware gateway (examples/gateway) against a direct call and against
// hand-written reverse proxies, end to end on loopback. Upstream, each proxy and the load generator
// run in processes of their own (the proxy's CPU is not shared with the load's event loop); closed
// loop at c = 1, 16, 64; contenders interleaved round by round, ratios taken within the same run.
//   npx tsc -b && node scripts/run-benchmarks.mjs gateway
// BENCH_GATEWAY_ROUNDS / BENCH_GATEWAY_ROUND_MS tune the run; BENCH_GATEWAY_PROF=<dir> starts the
// gateway process with --cpu-prof (then `node scripts/summarize-cpuprofile.mjs <dir>/<file>`).
import { fileURLToPath } from 'node:url';
import { Child, ServerProcess } from './gateway/child.js';
import type { LoadResult } from './http/load.js';
import { startUpstream } from './http/upstream.js';
import { median, writeResults } from './lib/harness.js';
import { versionOf } from './lib/machine.js';

const rounds = Number(process.env.BENCH_GATEWAY_ROUNDS ?? 7);
const roundMs = Number(process.env.BENCH_GATEWAY_ROUND_MS ?? 1000);
const profDir = process.env.BENCH_GATEWAY_PROF;
const levels = [1, 16, 64];

interface Contender {
  key: string;
  name: string;
  port: number;
  path: string;
  /** The proxy process (undefined for the direct call). */
  proxy?: ServerProcess;
}

interface Round extends LoadResult {
  /** CPU of the proxy process per completed request, µs (NaN for direct). */
  proxyCpuUs: number;
}

const script = (name: string): string => fileURLToPath(new URL(`./gateway/${name}`, import.meta.url));

const upstream = await startUpstream();
const load = new Child(script('load-worker.ts'), []);
const contenders: Contender[] = [
  { key: 'direct', name: 'direct (load → upstream)', port: upstream.port, path: '/items?id=42' },
];
const sections: string[] = [];
const metrics: Record<string, number> = {};

async function run(c: Contender, concurrency: number, ms: number): Promise<Round> {
  const cpu0 = c.proxy === undefined ? 0 : await c.proxy.cpuUs();
  load.send(JSON.stringify({ port: c.port, path: c.path, concurrency, ms }));
  const r = JSON.parse(await load.next()) as LoadResult;
  const cpu1 = c.proxy === undefined ? 0 : await c.proxy.cpuUs();
  return { ...r, proxyCpuUs: c.proxy === undefined ? Number.NaN : (cpu1 - cpu0) / Math.max(1, r.requests) };
}

const fmt = (v: number, digits: number): string => (Number.isNaN(v) ? '—' : v.toFixed(digits));

try {
  if ((await load.next()) !== 'READY') throw new Error('load worker did not start');
  const proxies: [string, string][] = [
    ['undici', 'anchor: undici-only proxy (Pool + stream)'],
    ['node', 'anchor: node:http-only proxy (Agent + pipe)'],
    ['gateway', 'Breakwater gateway (defaults)'],
    // Diagnostics: what the gateway's byte plumbing costs alone, and what tracing adds to the gateway.
    ['undici-pipeline', 'diagnostic: undici proxy + request/AbortController/stream-promises pipeline'],
    ['gateway-untraced', 'diagnostic: gateway, client.tracing = false'],
  ];
  for (const [key, name] of proxies) {
    const nodeArgs =
      key === 'gateway' && profDir !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
    const proxy = await ServerProcess.start(
      script('proxy-server.ts'),
      [key, String(upstream.port)],
      nodeArgs,
    );
    contenders.push({ key, name, port: proxy.port, path: '/echo/items?id=42', proxy });
  }
  for (const c of contenders) for (const n of levels) await run(c, n, 400); // connections, JIT

  const direct = contenders[0]!;
  const anchor = contenders[1]!;
  for (const concurrency of levels) {
    const results = new Map<Contender, Round[]>(contenders.map((c) => [c, []]));
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < contenders.length; k++) {
        const c = contenders[(k + r) % contenders.length]!;
        results.get(c)!.push(await run(c, concurrency, roundMs));
      }
    }
    const rpsOf = (c: Contender): number => median(results.get(c)!.map((x) => x.rps));
    const directRps = rpsOf(direct);
    const anchorRps = rpsOf(anchor);
    const lines = [
      `### c = ${concurrency}`,
      '',
      '| path | req/s (median) | spread (min–max) | vs direct | vs undici proxy | p50 ms | p99 ms | proxy CPU µs/req | errors |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ];
    for (const c of contenders) {
      const rs = results.get(c)!;
      const rps = rs.map((x) => x.rps);
      const m = median(rps);
      const p50 = median(rs.map((x) => x.p50Ms));
      const p99 = median(rs.map((x) => x.p99Ms));
      const cpu = median(rs.map((x) => x.proxyCpuUs));
      const errors = rs.reduce((a, x) => a + x.errors, 0);
      lines.push(
        `| ${c.name} | ${m.toFixed(0)} | ${Math.min(...rps).toFixed(0)}–${Math.max(...rps).toFixed(0)} | ${(m / directRps).toFixed(2)}× | ${c === direct ? '—' : `${(m / anchorRps).toFixed(2)}×`} | ${p50.toFixed(3)} | ${p99.toFixed(3)} | ${fmt(cpu, 1)} | ${errors} |`,
      );
      const prefix = `gateway.c${concurrency}.${c.key}`;
      metrics[`${prefix}.rps`] = m;
      metrics[`${prefix}.p50Ms`] = p50;
      metrics[`${prefix}.p99Ms`] = p99;
      if (c !== direct) {
        metrics[`${prefix}.vsDirect`] = m / directRps;
        metrics[`${prefix}.cpuUsPerRequest`] = cpu;
      }
      if (c !== direct && c !== anchor) metrics[`${prefix}.vsUndiciProxy`] = m / anchorRps;
      if (errors > 0) metrics[`${prefix}.errors`] = errors;
    }
    const table = lines.join('\n');
    console.log(`\n${table}\n`);
    sections.push(table);
  }
} finally {
  for (const c of contenders) await c.proxy?.close();
  await load.close();
  await upstream.close();
}

writeResults(
  'gateway',
  'Gateway: examples/gateway vs a direct call and hand-written undici / node:http proxies',
  'npx tsc -b && node scripts/run-benchmarks.mjs gateway',
  [
    `Versions: undici ${versionOf('undici')}. Three processes per path on a 2-core machine: the load generator`,
    '(undici Pool, closed loop), the proxy, and the upstream (node:http, 11-byte JSON, keep-alive) — so a proxy',
    'competes with load and upstream for CPU, as the direct call does not. Requests are `GET /echo/items?id=42`',
    '(direct: `GET /items?id=42`), no body. Contenders are interleaved round by round,',
    `${rounds} rounds of ${roundMs} ms per contender and concurrency; medians over rounds. "proxy CPU µs/req" is the`,
    "proxy process's user + system CPU per completed request (the least noisy figure on a shared machine).",
    '',
    '- **undici-only proxy**: a `Pool` to the upstream, `pool.stream` writing into the response, hop-by-hop',
    '  headers stripped both ways, `X-Forwarded-For` added, 502 on failure. Nothing else.',
    '- **node:http-only proxy**: the same with a keep-alive `http.Agent`, `http.request` and `pipe`.',
    '- **Breakwater gateway**: `createGateway({ registry: new StaticRegistry({ echo: [upstream] }) })`, defaults:',
    '  server span + traceparent per attempt, 15 s total timeout with deadline header, P2C balancer, endpoint',
    '  breakers, retries under a budget, Forwarded / X-Forwarded-* / Via, cancellation on downstream close.',
    '- **diagnostic: undici proxy + request/AbortController/stream-promises pipeline**: the undici-only proxy',
    "  moving bytes the way the gateway does (`pool.request`'s Readable body, an AbortController per request,",
    '  `await pipeline(body, res)` from node:stream/promises): the price of that plumbing without Breakwater.',
    '- **diagnostic: gateway, client.tracing = false**: no server span, no traceparent per attempt.',
    '',
    'Where the gateway spends its time (profile, diagnostics): examples/gateway/README.md, section Benchmark.',
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n'),
  metrics,
);
