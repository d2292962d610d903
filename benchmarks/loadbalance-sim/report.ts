// Percentiles, the markdown table and a hand-written SVG chart for the simulator's results.
import type { RunResult } from './scenario.js';

export interface Summary {
  label: string;
  p50: number;
  p99: number;
  p999: number;
  slowP99: number;
  success: number;
  slowShare: number;
  ejections: number;
}

/** Nearest-rank percentile of an unsorted sample (copied, then sorted). */
export function percentile(values: Float64Array, q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export function summarize(r: RunResult): Summary {
  return {
    label: r.label,
    p50: percentile(r.latencies, 0.5),
    p99: percentile(r.latencies, 0.99),
    p999: percentile(r.latencies, 0.999),
    slowP99: percentile(r.slowWindow, 0.99),
    success: r.requests === 0 ? 0 : r.succeeded / r.requests,
    slowShare: r.slowShare,
    ejections: r.ejections,
  };
}

const ms = (v: number): string => (Number.isNaN(v) ? 'n/a' : v >= 100 ? v.toFixed(0) : v.toFixed(1));

export function markdownTable(slow: Summary[], healthy: Map<string, Summary>): string {
  const lines = [
    '| policy | p50 ms | p99 ms | p99.9 ms | p99 in slow window ms | success | to slow endpoint | ejections | all-healthy p99 ms | p99 / all-healthy p99 |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const s of slow) {
    const h = healthy.get(s.label);
    lines.push(
      `| ${s.label} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.p999)} | ${ms(s.slowP99)} | ${(s.success * 100).toFixed(2)}% | ${(s.slowShare * 100).toFixed(2)}% | ${s.ejections} | ${h ? ms(h.p99) : 'n/a'} | ${h ? `${(s.p99 / h.p99).toFixed(2)}×` : 'n/a'} |`,
    );
  }
  return lines.join('\n');
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Grouped bars (p50, p99, p99.9) per policy on a log scale, with the goal line. */
export function svgChart(title: string, slow: Summary[], goalMs: number | undefined): string {
  const width = 990;
  const height = 470;
  const left = 70;
  const right = 90;
  const top = 50;
  const bottom = 160;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const minV = 1;
  const maxV = 1000;
  const y = (v: number) =>
    top + plotH - (Math.log10(Math.max(minV, Math.min(maxV, v))) / Math.log10(maxV)) * plotH;
  const series = [
    { key: 'p50' as const, name: 'p50', color: '#4c78a8' },
    { key: 'p99' as const, name: 'p99', color: '#f58518' },
    { key: 'p999' as const, name: 'p99.9', color: '#e45756' },
  ];
  const group = plotW / slow.length;
  const barW = (group * 0.7) / series.length;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
  ];
  for (const tick of [1, 3, 10, 30, 100, 300, 1000]) {
    const ty = y(tick).toFixed(1);
    out.push(`<line x1="${left}" x2="${width - right}" y1="${ty}" y2="${ty}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${left - 8}" y="${ty}" text-anchor="end" dominant-baseline="middle">${tick}</text>`);
  }
  out.push(
    `<text transform="translate(18 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">latency, ms (log scale; timeouts = 1000)</text>`,
  );
  slow.forEach((s, gi) => {
    const gx = left + gi * group + group * 0.15;
    series.forEach((ser, si) => {
      const v = s[ser.key];
      const by = y(v);
      out.push(
        `<rect x="${(gx + si * barW).toFixed(1)}" y="${by.toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${(top + plotH - by).toFixed(1)}" fill="${ser.color}"><title>${esc(`${s.label} ${ser.name}: ${ms(v)} ms`)}</title></rect>`,
      );
    });
    const lx = left + gi * group + group / 2;
    out.push(
      `<text transform="translate(${lx.toFixed(1)} ${top + plotH + 14}) rotate(30)" text-anchor="start">${esc(s.label)}</text>`,
    );
  });
  out.push(
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#333"/>`,
    `<line x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`,
  );
  if (goalMs !== undefined) {
    const gy = y(goalMs).toFixed(1);
    out.push(
      `<line x1="${left}" x2="${width - right}" y1="${gy}" y2="${gy}" stroke="#2ca02c" stroke-dasharray="6 4"/>`,
      `<text x="${width - right - 4}" y="${Number(gy) - 5}" text-anchor="end" fill="#2ca02c">goal: 1.2 × all-healthy peak-EWMA p99 = ${ms(goalMs)} ms</text>`,
    );
  }
  series.forEach((ser, si) => {
    const lx = left + 10 + si * 80;
    out.push(
      `<rect x="${lx}" y="${top - 14}" width="12" height="12" fill="${ser.color}"/>`,
      `<text x="${lx + 16}" y="${top - 4}">${ser.name}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
