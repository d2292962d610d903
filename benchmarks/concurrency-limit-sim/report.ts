// Figures, the markdown table and a hand-written SVG chart for the concurrency-limit simulation.
import { type Bucket, capacity, type RunResult, type Scenario } from './scenario.js';

export interface Summary {
  readonly label: string;
  /** Responses within the client timeout per second, over the overload window, / capacity. */
  readonly goodput: number;
  readonly p50: number;
  readonly p99: number;
  /** Share of offered requests shed (503) in the overload window. */
  readonly shed: number;
  /** Mean limit at the end of each second of the overload window (NaN without a limiter). */
  readonly limit: number;
  /** Goodput / offered load over the last 10 s (back at 0.5×): did it recover? */
  readonly recovery: number;
}

/** Nearest-rank percentile. */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function window(r: RunResult, [from, to]: readonly [number, number]): Bucket[] {
  return r.buckets.slice(Math.floor(from / 1000), Math.floor(to / 1000));
}

export function baselineP99(sc: Scenario, r: RunResult): number {
  return percentile(
    window(r, sc.baseline).flatMap((b) => b.latencies),
    0.99,
  );
}

export function summarize(sc: Scenario, r: RunResult): Summary {
  const w = window(r, sc.overload);
  const latencies = w.flatMap((b) => b.latencies);
  const sum = (f: (b: Bucket) => number, bs: Bucket[]) => bs.reduce((s, b) => s + f(b), 0);
  const tail = r.buckets.slice(-10);
  return {
    label: r.label,
    goodput: sum((b) => b.good, w) / w.length / capacity(sc),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    shed: sum((b) => b.shed, w) / sum((b) => b.offered, w),
    limit: sum((b) => b.limit, w) / w.length,
    recovery: sum((b) => b.good, tail) / sum((b) => b.offered, tail),
  };
}

export function meetsGoal(s: Summary, baseP99: number): boolean {
  return s.p99 <= 2 * baseP99 && s.goodput >= 0.9;
}

const ms = (v: number): string =>
  Number.isNaN(v)
    ? 'n/a'
    : v >= 10_000
      ? `${(v / 1000).toFixed(1)} s`
      : v >= 100
        ? v.toFixed(0)
        : v.toFixed(1);
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

export function markdownTable(rows: Summary[], baseP99: number): string {
  const lines = [
    '| guard | goodput / capacity | p50 ms | p99 ms | p99 / unloaded p99 | shed | mean limit | recovered (last 10 s) | goal |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |',
  ];
  for (const s of rows) {
    lines.push(
      `| ${s.label} | ${pct(s.goodput)} | ${ms(s.p50)} | ${ms(s.p99)} | ${(s.p99 / baseP99).toFixed(2)}× | ${pct(s.shed)} | ${Number.isNaN(s.limit) ? '—' : s.limit.toFixed(1)} | ${pct(s.recovery)} | ${meetsGoal(s, baseP99) ? 'met' : 'not met'} |`,
    );
  }
  return lines.join('\n');
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const COLORS = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#b279a2', '#9d755d', '#bab0ac'];

interface Panel {
  title: string;
  top: number;
  height: number;
  yMin: number;
  yMax: number;
  log: boolean;
  ticks: number[];
  unit: string;
}

/** Three panels over time: goodput (with offered load), p99 latency per second (log), the limit. */
export function svgChart(sc: Scenario, runs: RunResult[], baseP99: number): string {
  const width = 1060;
  const left = 70;
  const right = 300;
  const plotW = width - left - right;
  const seconds = runs[0]!.buckets.length;
  const x = (s: number): number => left + (s / seconds) * plotW;
  const cap = capacity(sc);
  const panels: Panel[] = [
    {
      title: 'Goodput (responses within the client timeout), req/s',
      top: 50,
      height: 180,
      yMin: 0,
      yMax: 2.1 * cap,
      log: false,
      ticks: [0, 0.5 * cap, cap, 1.5 * cap, 2 * cap].map(Math.round),
      unit: '',
    },
    {
      title: 'p99 latency of the responses completed each second, ms (log scale)',
      top: 290,
      height: 180,
      yMin: 10,
      yMax: 100_000,
      log: true,
      ticks: [10, 100, 1_000, 10_000, 100_000],
      unit: '',
    },
    {
      title: 'Concurrency limit of the adaptive limiters (clipped at 40)',
      top: 530,
      height: 150,
      yMin: 0,
      yMax: 40,
      log: false,
      ticks: [0, 8, 20, 40],
      unit: '',
    },
  ];
  const height = 740;
  const y = (p: Panel, v: number): number => {
    const c = Math.max(p.yMin, Math.min(p.yMax, v));
    const f = p.log ? Math.log10(c / p.yMin) / Math.log10(p.yMax / p.yMin) : (c - p.yMin) / (p.yMax - p.yMin);
    return p.top + p.height - f * p.height;
  };
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left + plotW / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(`Load rising to 2× capacity: ${sc.workers} workers, ~${sc.medianMs} ms per request, capacity ≈ ${Math.round(cap)} req/s`)}</text>`,
  ];
  const [o0, o1] = sc.overload;
  for (const p of panels) {
    out.push(
      `<rect x="${x(o0 / 1000)}" y="${p.top}" width="${x(o1 / 1000) - x(o0 / 1000)}" height="${p.height}" fill="#f3f3f3"/>`,
      `<text x="${left}" y="${p.top - 8}" font-weight="bold">${esc(p.title)}</text>`,
      `<line x1="${left}" y1="${p.top + p.height}" x2="${left + plotW}" y2="${p.top + p.height}" stroke="#333"/>`,
      `<line x1="${left}" y1="${p.top}" x2="${left}" y2="${p.top + p.height}" stroke="#333"/>`,
    );
    for (const t of p.ticks) {
      const ty = y(p, t);
      out.push(
        `<line x1="${left}" y1="${ty}" x2="${left + plotW}" y2="${ty}" stroke="#ddd"/>`,
        `<text x="${left - 6}" y="${ty + 4}" text-anchor="end">${t >= 1000 && p.log ? `${t / 1000} s` : t}</text>`,
      );
    }
    for (let s = 0; s <= seconds; s += 10) {
      out.push(`<text x="${x(s)}" y="${p.top + p.height + 14}" text-anchor="middle">${s} s</text>`);
    }
  }
  const [g, l, lim] = panels as [Panel, Panel, Panel];
  // Offered load and the goal line.
  const offered = runs[0]!.buckets.map((b, s) => `${x(s + 0.5).toFixed(1)},${y(g, b.offered).toFixed(1)}`);
  out.push(
    `<polyline points="${offered.join(' ')}" fill="none" stroke="#000" stroke-width="1" stroke-dasharray="4 3"/>`,
  );
  out.push(
    `<line x1="${left}" y1="${y(l, 2 * baseP99)}" x2="${left + plotW}" y2="${y(l, 2 * baseP99)}" stroke="#000" stroke-dasharray="2 3"/>`,
    `<text x="${left + plotW - 4}" y="${y(l, 2 * baseP99) - 4}" text-anchor="end">goal: 2× unloaded p99 (${(2 * baseP99).toFixed(0)} ms)</text>`,
    `<line x1="${left}" y1="${y(g, 0.9 * cap)}" x2="${left + plotW}" y2="${y(g, 0.9 * cap)}" stroke="#000" stroke-dasharray="2 3"/>`,
    `<text x="${left + plotW - 4}" y="${y(g, 0.9 * cap) + 14}" text-anchor="end">goal: 90% of capacity</text>`,
  );
  runs.forEach((r, i) => {
    const color = COLORS[i % COLORS.length]!;
    const good = r.buckets.map((b, s) => `${x(s + 0.5).toFixed(1)},${y(g, b.good).toFixed(1)}`);
    out.push(`<polyline points="${good.join(' ')}" fill="none" stroke="${color}" stroke-width="1.6"/>`);
    const p99 = r.buckets
      .map((b, s) =>
        b.latencies.length === 0
          ? undefined
          : `${x(s + 0.5).toFixed(1)},${y(l, percentile(b.latencies, 0.99)).toFixed(1)}`,
      )
      .filter((pt) => pt !== undefined);
    out.push(`<polyline points="${p99.join(' ')}" fill="none" stroke="${color}" stroke-width="1.6"/>`);
    if (!Number.isNaN(r.buckets[0]!.limit)) {
      const limit = r.buckets.map((b, s) => `${x(s + 1).toFixed(1)},${y(lim, b.limit).toFixed(1)}`);
      out.push(`<polyline points="${limit.join(' ')}" fill="none" stroke="${color}" stroke-width="1.6"/>`);
    }
    const ly = 60 + i * 20;
    out.push(
      `<line x1="${width - right + 12}" y1="${ly}" x2="${width - right + 36}" y2="${ly}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${width - right + 42}" y="${ly + 4}">${esc(r.label)}</text>`,
    );
  });
  const ly = 60 + runs.length * 20;
  out.push(
    `<line x1="${width - right + 12}" y1="${ly}" x2="${width - right + 36}" y2="${ly}" stroke="#000" stroke-dasharray="4 3"/>`,
    `<text x="${width - right + 42}" y="${ly + 4}">offered load</text>`,
    `<text x="${width - right + 12}" y="${ly + 24}" fill="#666">grey: 2× window measured</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
