// A small, dependency-free micro-benchmark harness. Cases of one suite run interleaved, in rotating
// order, round after round, so that machine noise hits them alike; we report medians and ratios
// to the suite's first case (the baseline), never absolute times alone.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo } from './machine.js';

export type BenchFn = () => unknown;

export interface BenchCase {
  name: string;
  fn: BenchFn;
  /** true when fn returns a promise that must be awaited. */
  async?: boolean;
}

export interface SuiteOptions {
  /** Rounds of interleaved batches (default 15). */
  rounds?: number;
  /** Target duration of one batch in ms (default 40). */
  batchMs?: number;
  /** Operations measured for the allocation estimate (default 10,000). */
  allocOps?: number;
}

export interface CaseResult {
  name: string;
  medianNs: number;
  p10Ns: number;
  p90Ns: number;
  /** median ns/op minus the baseline's */
  overNs: number;
  /** baseline ops/s divided by this case's ops/s: 1 = as fast as baseline, 0.5 = half */
  ratio: number;
  /** approximate heap bytes allocated per op (needs --expose-gc), or undefined */
  bytesPerOp: number | undefined;
}

async function runBatch(c: BenchCase, n: number): Promise<number> {
  const fn = c.fn;
  const t0 = process.hrtime.bigint();
  if (c.async) {
    for (let i = 0; i < n; i++) await fn();
  } else {
    for (let i = 0; i < n; i++) fn();
  }
  return Number(process.hrtime.bigint() - t0) / n;
}

async function calibrate(c: BenchCase, batchMs: number): Promise<number> {
  let n = 16;
  for (;;) {
    const ns = await runBatch(c, n);
    if (ns * n > batchMs * 1e6 * 0.25 || n > 1e8) return Math.max(16, Math.round((batchMs * 1e6) / ns));
    n *= 4;
  }
}

const gc = (globalThis as { gc?: () => void }).gc;

async function bytesPerOp(c: BenchCase, ops: number): Promise<number | undefined> {
  if (!gc) return undefined;
  await runBatch(c, ops); // warm
  const samples: number[] = [];
  for (let k = 0; k < 5; k++) {
    gc();
    const before = process.memoryUsage().heapUsed;
    await runBatch(c, ops);
    const after = process.memoryUsage().heapUsed;
    samples.push(Math.max(0, (after - before) / ops));
  }
  return median(samples);
}

export function median(xs: number[]): number {
  return quantile(xs, 0.5);
}

export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** Runs one suite; the first case is the baseline. */
export async function suite(
  title: string,
  cases: BenchCase[],
  options: SuiteOptions = {},
): Promise<CaseResult[]> {
  const rounds = options.rounds ?? 15;
  const batchMs = options.batchMs ?? 40;
  const sizes = new Map<BenchCase, number>();
  for (const c of cases) {
    await runBatch(c, 1000); // warm up / JIT
    sizes.set(c, await calibrate(c, batchMs));
  }
  const samples = new Map<BenchCase, number[]>(cases.map((c) => [c, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(k + r) % cases.length]!;
      samples.get(c)!.push(await runBatch(c, sizes.get(c)!));
    }
  }
  const base = median(samples.get(cases[0]!)!);
  const results: CaseResult[] = [];
  for (const c of cases) {
    const s = samples.get(c)!;
    const m = median(s);
    results.push({
      name: c.name,
      medianNs: m,
      p10Ns: quantile(s, 0.1),
      p90Ns: quantile(s, 0.9),
      overNs: m - base,
      ratio: base / m,
      bytesPerOp: await bytesPerOp(c, options.allocOps ?? 10_000),
    });
  }
  printSuite(title, results);
  return results;
}

function fmt(n: number | undefined, digits = 1): string {
  return n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(digits);
}

export function suiteTable(title: string, results: CaseResult[]): string {
  const lines = [
    `### ${title}`,
    '',
    '| case | median ns/op | p10–p90 ns/op | over baseline ns | speed vs baseline | heap B/op |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.name} | ${fmt(r.medianNs)} | ${fmt(r.p10Ns)}–${fmt(r.p90Ns)} | ${fmt(r.overNs)} | ${fmt(r.ratio, 2)}× | ${fmt(r.bytesPerOp, 0)} |`,
    );
  }
  return lines.join('\n');
}

function printSuite(title: string, results: CaseResult[]): void {
  console.log(`\n${suiteTable(title, results)}\n`);
}

/**
 * Writes benchmarks/results/<name>.md (a heading, the machine, the command, then the body) and,
 * when given, the headline figures to benchmarks/results/<name>.json. `scripts/run-benchmarks.mjs`
 * folds the figures into benchmarks/results/<date>.json, checks them against the goals
 * (benchmarks/goals.json) and regenerates benchmarks/RESULTS.md.
 */
export function writeResults(
  name: string,
  heading: string,
  command: string,
  body: string,
  metrics?: Record<string, number>,
): void {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');
  mkdirSync(dir, { recursive: true });
  if (metrics !== undefined) {
    const json = {
      name,
      heading,
      command,
      machine: machineInfo(),
      measuredAt: new Date().toISOString(),
      metrics,
    };
    writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  }
  const text = [
    `## ${heading}`,
    '',
    `Reproduce: \`${command}\``,
    '',
    machineInfo(),
    '',
    body.trim(),
    '',
  ].join('\n');
  writeFileSync(join(dir, `${name}.md`), text);
  console.log(`wrote benchmarks/results/${name}.md`);
}
