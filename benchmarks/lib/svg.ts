// A dependency-free grouped bar chart in SVG, for results pages (no external service, no build).

export interface BarSeries {
  name: string;
  /** One value per category. */
  values: number[];
}

const palette = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#9d755d'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Grouped bars: categories along x, one bar per series in each group; an optional dashed
 * reference line (a goal) across the chart.
 */
export function barChart(
  title: string,
  categories: string[],
  series: BarSeries[],
  options: { yLabel?: string; reference?: { value: number; label: string } } = {},
): string {
  const width = 760;
  const height = 380;
  const left = 60;
  const right = 20;
  const top = 40;
  const bottom = 70 + 18 * Math.ceil(series.length / 2);
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const max = Math.max(options.reference?.value ?? 0, ...series.flatMap((s) => s.values)) * 1.1 || 1;
  const y = (v: number): number => top + plotH - (v / max) * plotH;
  const groupW = plotW / categories.length;
  const barW = (groupW * 0.8) / series.length;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (max / 4) * i;
    out.push(
      `<line x1="${left}" x2="${width - right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(max < 10 ? 2 : 0)}</text>`,
    );
  }
  if (options.yLabel) {
    out.push(
      `<text transform="translate(14 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(options.yLabel)}</text>`,
    );
  }
  categories.forEach((c, ci) => {
    const gx = left + ci * groupW + groupW * 0.1;
    series.forEach((s, si) => {
      const v = s.values[ci] ?? 0;
      out.push(
        `<rect x="${gx + si * barW}" y="${y(v)}" width="${barW - 2}" height="${top + plotH - y(v)}" fill="${palette[si % palette.length]}"><title>${esc(`${s.name}, ${c}: ${v.toFixed(2)}`)}</title></rect>`,
      );
    });
    out.push(
      `<text x="${left + ci * groupW + groupW / 2}" y="${top + plotH + 18}" text-anchor="middle">${esc(c)}</text>`,
    );
  });
  if (options.reference) {
    const ry = y(options.reference.value);
    out.push(
      `<line x1="${left}" x2="${width - right}" y1="${ry}" y2="${ry}" stroke="#333" stroke-dasharray="6 4"/>`,
      `<text x="${width - right}" y="${ry - 4}" text-anchor="end">${esc(options.reference.label)}</text>`,
    );
  }
  series.forEach((s, si) => {
    const lx = left + (si % 2) * (plotW / 2);
    const ly = top + plotH + 40 + Math.floor(si / 2) * 18;
    out.push(
      `<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${palette[si % palette.length]}"/>`,
      `<text x="${lx + 18}" y="${ly}">${esc(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
