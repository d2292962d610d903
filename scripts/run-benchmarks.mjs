// `npm run bench [-- <group> ...] [-- --report]`
// Runs every benchmarks/*.bench.ts (or those whose name contains one of the groups given) in its
// own process, with --expose-gc (allocation estimates) and a large young generation (so a measured
// batch does not trigger a scavenge). Each benchmark writes benchmarks/results/<name>.md and, for its
// headline figures, <name>.json; this script folds the figures into benchmarks/results/<date>.json,
// checks them against benchmarks/goals.json and regenerates benchmarks/RESULTS.md.
// `--report` only regenerates RESULTS.md from what is in benchmarks/results/.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const benchDir = join(root, 'benchmarks');
const resultsDir = join(benchDir, 'results');
const args = process.argv.slice(2);
const reportOnly = args.includes('--report');
const wanted = args.filter((a) => !a.startsWith('--'));

const files = readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();

if (!reportOnly) {
  if (files.length === 0) {
    console.error(`no benchmark matches ${wanted.join(', ')}`);
    process.exit(2);
  }
  const started = performance.now();
  files.forEach((file, i) => {
    const t0 = performance.now();
    console.log(`\n=== [${i + 1}/${files.length}] ${file}`);
    const r = spawnSync(
      process.execPath,
      ['--expose-gc', '--max-semi-space-size=64', '--import', 'tsx', join(benchDir, file)],
      { stdio: 'inherit', cwd: root, timeout: 10 * 60_000 },
    );
    const secs = ((performance.now() - t0) / 1000).toFixed(0);
    if (r.status !== 0) {
      console.error(`${file} failed (status ${r.status}, signal ${r.signal}) after ${secs} s`);
      process.exitCode = 1;
    } else {
      console.log(
        `=== ${file} done in ${secs} s (total ${((performance.now() - started) / 1000).toFixed(0)} s)`,
      );
    }
  });
  foldIntoDatedFile();
}
writeReport();

function isDated(f) {
  return /^\d{4}-\d{2}-\d{2}\.json$/.test(f);
}

/** Merges results/<name>.json into results/<today>.json (one file per day, groups replaced on rerun). */
function foldIntoDatedFile() {
  const date = new Date().toISOString().slice(0, 10);
  const file = join(resultsDir, `${date}.json`);
  const run = existsSync(file)
    ? JSON.parse(readFileSync(file, 'utf8'))
    : { date, node: process.version, groups: {} };
  for (const f of readdirSync(resultsDir).filter((x) => x.endsWith('.json') && !isDated(x))) {
    const group = JSON.parse(readFileSync(join(resultsDir, f), 'utf8'));
    if (String(group.measuredAt ?? '').slice(0, 10) === date) run.groups[group.name] = group;
  }
  writeFileSync(file, `${JSON.stringify(run, null, 2)}\n`);
  console.log(`\nwrote benchmarks/results/${date}.json`);
}

/** Latest value of every metric, across the per-group files (newest measurement wins). */
function latestMetrics() {
  const metrics = new Map();
  if (!existsSync(resultsDir)) return metrics;
  for (const f of readdirSync(resultsDir).filter((x) => x.endsWith('.json') && !isDated(x))) {
    const group = JSON.parse(readFileSync(join(resultsDir, f), 'utf8'));
    for (const [k, v] of Object.entries(group.metrics ?? {})) {
      metrics.set(k, { value: v, measuredAt: group.measuredAt, group: group.name });
    }
  }
  return metrics;
}

function fmt(v, unit) {
  if (typeof v !== 'number' || Number.isNaN(v)) return 'n/a';
  if (unit === '') return v >= 0.99 && v <= 1 ? `${(v * 100).toFixed(2)}%` : v.toFixed(3);
  const digits = unit === '×' ? 2 : v < 10 ? 1 : 0;
  return `${v.toFixed(digits)}${unit === '×' ? '×' : ` ${unit}`}`;
}

function verdict(g, m) {
  if (m === undefined || typeof m.value !== 'number' || Number.isNaN(m.value)) return 'not measured yet';
  const v = m.value;
  const ok =
    g.op === '>=' ? v >= g.target : g.op === '>' ? v > g.target : g.op === '<' ? v < g.target : v <= g.target;
  if (ok) return '**met**';
  const by = g.op.startsWith('>') ? (g.target - v) / g.target : (v - g.target) / g.target;
  return `**missed** by ${(by * 100).toFixed(0)}%`;
}

function writeReport() {
  const goals = JSON.parse(readFileSync(join(benchDir, 'goals.json'), 'utf8'));
  const metrics = latestMetrics();
  const goalRows = goals.map((g) => {
    const m = metrics.get(g.metric);
    return `| ${g.goal} | ${fmt(m?.value, g.unit)} | ${verdict(g, m)} | ${m ? `${m.group}, ${String(m.measuredAt).slice(0, 10)}` : '—'} |`;
  });
  const parts = existsSync(resultsDir)
    ? readdirSync(resultsDir)
        .filter((f) => f.endsWith('.md'))
        .sort()
        .map((f) =>
          readFileSync(join(resultsDir, f), 'utf8')
            .trim()
            // Sections link their charts relative to results/; RESULTS.md sits one level up.
            .replace(/\]\((?!https?:|results\/)([^)\s]+\.svg)\)/g, '](results/$1)'),
        )
    : [];
  const dated = existsSync(resultsDir) ? readdirSync(resultsDir).filter(isDated).sort() : [];
  const header = `# Benchmark results

Generated by \`npm run bench\` (every group, about 15 minutes on 2 cores) or \`npm run bench -- <group>\`
(the files whose name contains \`<group>\`: breaker, retry, policy-stack, loadbalance, tracing, discovery,
http, …); \`npm run bench -- --report\` only regenerates this page. Each group writes its tables to
\`benchmarks/results/<group>.md\` and its headline figures to \`benchmarks/results/<group>.json\`; a run's
figures are kept in \`benchmarks/results/<date>.json\` (${dated.length > 0 ? `latest: ${dated.at(-1)}` : 'none yet'}).

The machine is shared and noisy: read the **ratios measured in the same run**, not absolute times. In the
tables, "speed vs baseline" is baseline time ÷ case time (1.00× = as fast as the baseline) and "over
baseline" is the extra time per operation.

## Goals

| goal | measured | verdict | from |
| --- | ---: | --- | --- |
${goalRows.join('\n')}
`;
  writeFileSync(join(benchDir, 'RESULTS.md'), `${header}\n${parts.join('\n\n')}\n`);
  console.log('wrote benchmarks/RESULTS.md');
}
