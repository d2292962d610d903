import { describe, expect, it } from 'vitest';
import { COLOR, PLAIN, stripAnsi } from '../src/launcher/ansi.js';
import { ProgressDisplay, type ProgressState, renderLine, renderPanel } from '../src/launcher/progress.js';

const STATE: ProgressState = {
  elapsedMs: 12_300,
  durationMs: 60_000,
  targetRate: 100,
  window: { seconds: 1, requests: 99, ok: 98, p50Ms: 4.12, p99Ms: 38.2 },
  retriesPerSecond: 2,
  rows: [
    {
      name: 'catalog',
      breaker: 'closed',
      instances: [
        { id: 'catalog-1', up: true, breaker: 'half-open', ejected: false },
        { id: 'catalog-2', up: true, breaker: 'closed', ejected: false },
        { id: 'catalog-3', up: true, breaker: 'open', ejected: true },
      ],
    },
    {
      name: 'pricing',
      breaker: undefined,
      instances: [{ id: 'pricing-1', up: false, breaker: undefined, ejected: undefined }],
    },
  ],
  log: [
    { atMs: 9_000, kind: 'chaos', text: 'slow catalog-1 (latency 200–400 ms on every request)' },
    { atMs: 11_000, kind: 'notice', text: 'cart-2 exited unexpectedly' },
  ],
};

describe('renderPanel', () => {
  it('shows progress, rate, success, percentiles, retries, per-instance breakers and the event log', () => {
    expect(renderPanel(STATE, PLAIN)).toEqual([
      'Breakwater shop  ████░░░░░░░░░░░░░░░░ 12.3 s / 60.0 s',
      '  99.0 req/s (target 100)   success 98.99 %   p50 4.1 ms   p99 38 ms   retries 2.0/s',
      '  catalog service closed  │ catalog-1 half-open · catalog-2 closed · catalog-3 open ⏏ ejected',
      '  pricing service –  │ pricing-1 ✖ down',
      '  events',
      '   9.0 s  chaos   slow catalog-1 (latency 200–400 ms on every request)',
      '  11.0 s  notice  cart-2 exited unexpectedly',
    ]);
  });

  it('colours breaker states: closed green, half-open yellow, open red', () => {
    const text = renderPanel(STATE, COLOR).join('\n');
    expect(text).toContain('\x1b[32mclosed\x1b[39m');
    expect(text).toContain('\x1b[33mhalf-open\x1b[39m');
    expect(text).toContain('\x1b[31mopen\x1b[39m');
    expect(text).toContain('\x1b[31m⏏ ejected\x1b[39m');
    // Same text once the escapes are gone.
    expect(stripAnsi(text)).toBe(renderPanel(STATE, PLAIN).join('\n'));
  });

  it('shows "–" with no requests in the window and keeps only the last log lines', () => {
    const log = Array.from({ length: 10 }, (_, i) => ({
      atMs: i * 1000,
      kind: 'chaos' as const,
      text: `e${i}`,
    }));
    const lines = renderPanel(
      { ...STATE, window: { ...STATE.window, requests: 0, ok: 0 }, retriesPerSecond: undefined, log },
      PLAIN,
      3,
    );
    expect(lines[1]).toBe('  0.0 req/s (target 100)   success –   p50 –   p99 –   retries –');
    expect(lines.slice(-3).map((l) => l.trim().split(/\s+/).at(-1))).toEqual(['e7', 'e8', 'e9']);
  });
});

describe('renderLine', () => {
  it('is one plain line for non-terminals', () => {
    expect(renderLine(STATE)).toBe(
      '[ 12.3 s / 60.0 s] 99.0 req/s  ok 98.99 %  p50 4.1 ms  p99 38 ms  retries 2.0/s  | ' +
        'catalog half-open,closed,open+ejected | pricing down',
    );
    expect(renderLine({ ...STATE, elapsedMs: 61_000 })).toMatch(/^\[ 60\.0 s \/ 60\.0 s\]/);
  });
});

describe('ProgressDisplay', () => {
  function out(isTTY: boolean, columns = 200) {
    const chunks: string[] = [];
    return { chunks, isTTY, columns, write: (t: string) => chunks.push(t) };
  }

  it('appends one line per update, and plain notes, when not on a terminal', () => {
    const o = out(false);
    const d = new ProgressDisplay(o, COLOR);
    d.update(STATE);
    d.note('\x1b[33mnotice\x1b[39m hello');
    d.update(STATE);
    expect(o.chunks).toEqual([`${renderLine(STATE)}\n`, 'notice hello\n', `${renderLine(STATE)}\n`]);
  });

  it('redraws the panel in place on a terminal, and puts notes above it', () => {
    const o = out(true);
    const d = new ProgressDisplay(o, PLAIN);
    const rows = renderPanel(STATE, PLAIN).length;
    d.update(STATE);
    expect(o.chunks).toEqual([`${renderPanel(STATE, PLAIN).join('\n')}\n`]);
    d.update(STATE);
    expect(o.chunks[1]).toBe(`\x1b[${rows}F\x1b[J`); // back to the top of the panel, clear below
    d.note('hello');
    expect(o.chunks.slice(3)).toEqual([
      `\x1b[${rows}F\x1b[J`,
      'hello\n',
      `${renderPanel(STATE, PLAIN).join('\n')}\n`,
    ]);
    d.finish();
    d.note('after');
    expect(o.chunks.at(-1)).toBe('after\n'); // nothing erased once finished
  });

  it('counts wrapped rows on a narrow terminal', () => {
    const o = out(true, 40);
    const d = new ProgressDisplay(o, PLAIN);
    d.update(STATE);
    d.update(STATE);
    const lines = renderPanel(STATE, PLAIN);
    const rows = lines.reduce((n, l) => n + Math.max(1, Math.ceil([...l].length / 40)), 0);
    expect(rows).toBeGreaterThan(lines.length);
    expect(o.chunks[1]).toBe(`\x1b[${rows}F\x1b[J`);
  });
});
