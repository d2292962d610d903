// Closed-loop load: `concurrency` workers each send a request as soon as their previous one ends,
// for `durationMs`. Reports completed requests per second, latency percentiles and the client's
// CPU time per request (user + system of this process; the server runs in another process).
import { quantile } from '../lib/harness.js';

export type RequestFn = () => Promise<unknown>;

export interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerRequest: number;
}

export async function runLoad(fn: RequestFn, concurrency: number, durationMs: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let stop = false;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + durationMs;
  const worker = async (): Promise<void> => {
    while (!stop) {
      const start = performance.now();
      try {
        await fn();
        latencies.push(performance.now() - start);
      } catch {
        errors++;
      }
      if (start >= end) stop = true;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const n = latencies.length;
  return {
    requests: n,
    errors,
    rps: (n / elapsed) * 1000,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    cpuUsPerRequest: (cpu.user + cpu.system) / Math.max(1, n + errors),
  };
}
