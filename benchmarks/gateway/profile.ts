// Profiles one proxy process under load, for finding where the gateway's time goes:
//   node --import tsx benchmarks/gateway/profile.ts [gateway|undici|…] [seconds] [concurrency]
// writes build/prof-gateway/<file>.cpuprofile (the proxy process's, written when it exits); then
// `node scripts/summarize-cpuprofile.mjs build/prof-gateway/<file>.cpuprofile`.
import { fileURLToPath } from 'node:url';
import type { LoadResult } from '../http/load.js';
import { startUpstream } from '../http/upstream.js';
import { Child, ServerProcess } from './child.js';

const kind = process.argv[2] ?? 'gateway';
const seconds = Number(process.argv[3] ?? 5);
const concurrency = Number(process.argv[4] ?? 16);
const dir = fileURLToPath(new URL('../../build/prof-gateway', import.meta.url));
const script = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

const upstream = await startUpstream();
const proxy = await ServerProcess.start(
  script('proxy-server.ts'),
  [kind, String(upstream.port)],
  ['--cpu-prof', `--cpu-prof-dir=${dir}`],
);
const load = new Child(script('load-worker.ts'), []);
try {
  await load.next(); // READY
  const round = async (ms: number): Promise<LoadResult> => {
    load.send(JSON.stringify({ port: proxy.port, path: '/echo/items?id=42', concurrency, ms }));
    return JSON.parse(await load.next()) as LoadResult;
  };
  await round(500);
  const cpu0 = await proxy.cpuUs();
  const r = await round(seconds * 1000);
  const cpu = ((await proxy.cpuUs()) - cpu0) / Math.max(1, r.requests);
  console.log(`${kind}: ${r.rps.toFixed(0)} req/s, proxy ${cpu.toFixed(1)} µs CPU/req, errors ${r.errors}`);
} finally {
  await proxy.close();
  await load.close();
  await upstream.close();
}
console.log(`profile in ${dir}`);
