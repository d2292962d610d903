// Live progress: on a terminal, a compact panel redrawn in place; elsewhere (pipes, CI logs), one plain line
// per tick. Rendering is pure (state → text) so it is tested without a TTY.
import { breakerColor, PLAIN, type Style, stripAnsi, visibleLength } from './ansi.js';
import type { ServiceRow } from './service-rows.js';

export interface LogEntry {
  /** ms after the start of the load. */
  readonly atMs: number;
  readonly kind: 'chaos' | 'notice';
  readonly text: string;
}

export interface ProgressState {
  readonly elapsedMs: number;
  readonly durationMs: number;
  /** Requests per second the load generator aims at. */
  readonly targetRate: number;
  /** The last window of the load. */
  readonly window: {
    readonly seconds: number;
    readonly requests: number;
    readonly ok: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
  };
  /** Retries per second by the frontend's clients; undefined without a dashboard. */
  readonly retriesPerSecond: number | undefined;
  readonly rows: readonly ServiceRow[];
  readonly log: readonly LogEntry[];
}

const DASH = '–';

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
export const millis = (ms: number): string => `${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
export const percent = (x: number | undefined): string =>
  x === undefined ? DASH : `${(x * 100).toFixed(2)} %`;

function successOf(w: ProgressState['window']): number | undefined {
  return w.requests === 0 ? undefined : w.ok / w.requests;
}

function bar(style: Style, fraction: number, width = 20): string {
  const full = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return style.green('█'.repeat(full)) + style.dim('░'.repeat(width - full));
}

function successColor(style: Style, x: number | undefined): string {
  const text = percent(x);
  if (x === undefined) return style.dim(text);
  return x >= 0.99 ? style.green(text) : x >= 0.95 ? style.yellow(text) : style.red(text);
}

function instanceCell(style: Style, i: ServiceRow['instances'][number]): string {
  if (!i.up) return `${i.id} ${style.red('✖ down')}`;
  const state = i.breaker === undefined ? style.dim(DASH) : breakerColor(style, i.breaker);
  const ejected = i.ejected === true ? ` ${style.red('⏏ ejected')}` : '';
  return `${i.id} ${state}${ejected}`;
}

export function renderLogEntry(style: Style, e: LogEntry): string {
  const tag = e.kind === 'chaos' ? style.magenta('chaos ') : style.yellow('notice');
  return `${seconds(e.atMs).padStart(8)}  ${tag}  ${e.text}`;
}

/** The terminal panel, as lines. */
export function renderPanel(state: ProgressState, style: Style = PLAIN, logLines = 8): string[] {
  const w = state.window;
  const rate = w.seconds > 0 ? w.requests / w.seconds : 0;
  const done = state.durationMs > 0 ? state.elapsedMs / state.durationMs : 1;
  const retries = state.retriesPerSecond === undefined ? DASH : `${state.retriesPerSecond.toFixed(1)}/s`;
  const pad = Math.max(7, ...state.rows.map((r) => r.name.length));
  const lines = [
    `${style.bold('Breakwater shop')}  ${bar(style, done)} ${seconds(Math.min(state.elapsedMs, state.durationMs))} / ${seconds(state.durationMs)}`,
    `  ${rate.toFixed(1)} req/s (target ${state.targetRate})   success ${successColor(style, successOf(w))}   ` +
      `p50 ${w.requests === 0 ? DASH : millis(w.p50Ms)}   p99 ${w.requests === 0 ? DASH : millis(w.p99Ms)}   retries ${retries}`,
  ];
  for (const row of state.rows) {
    const svc = row.breaker === undefined ? style.dim(DASH) : breakerColor(style, row.breaker);
    const cells = row.instances.map((i) => instanceCell(style, i)).join(style.dim(' · '));
    lines.push(`  ${row.name.padEnd(pad)} ${style.dim('service')} ${svc}  ${style.dim('│')} ${cells}`);
  }
  const log = state.log.slice(-logLines);
  if (log.length > 0) {
    lines.push(style.dim('  events'));
    for (const e of log) lines.push(renderLogEntry(style, e));
  }
  return lines;
}

/** One plain line per tick for non-terminals: `[ 12.0 s / 60.0 s] 99.0 req/s ok 99.71 % …`. */
export function renderLine(state: ProgressState): string {
  const w = state.window;
  const rate = w.seconds > 0 ? w.requests / w.seconds : 0;
  const retries = state.retriesPerSecond === undefined ? DASH : `${state.retriesPerSecond.toFixed(1)}/s`;
  const rows = state.rows.map((r) => {
    const cells = r.instances.map((i) => {
      if (!i.up) return 'down';
      const b = i.breaker ?? DASH;
      return i.ejected === true ? `${b}+ejected` : b;
    });
    return `${r.name} ${cells.join(',')}`;
  });
  return (
    `[${seconds(Math.min(state.elapsedMs, state.durationMs)).padStart(7)} / ${seconds(state.durationMs)}] ` +
    `${rate.toFixed(1)} req/s  ok ${percent(successOf(w))}  ` +
    `p50 ${w.requests === 0 ? DASH : millis(w.p50Ms)}  p99 ${w.requests === 0 ? DASH : millis(w.p99Ms)}  ` +
    `retries ${retries}  | ${rows.join(' | ')}`
  );
}

export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * Writes progress to a stream: redraws the panel in place on a TTY (cursor up + clear to the end of the
 * screen), or appends one line per update otherwise. `note()` prints a line above the panel.
 */
export class ProgressDisplay {
  readonly #out: Output;
  readonly #tty: boolean;
  readonly #style: Style;
  #rows = 0;
  #last: string[] = [];

  constructor(out: Output, style: Style) {
    this.#out = out;
    this.#tty = out.isTTY === true;
    this.#style = this.#tty ? style : PLAIN;
  }

  get tty(): boolean {
    return this.#tty;
  }

  update(state: ProgressState): void {
    if (!this.#tty) {
      this.#out.write(`${renderLine(state)}\n`);
      return;
    }
    this.#last = renderPanel(state, this.#style);
    this.#redraw();
  }

  /** A line that stays: on a TTY it goes above the panel, which is redrawn under it. */
  note(text: string): void {
    if (!this.#tty) {
      this.#out.write(`${stripAnsi(text)}\n`);
      return;
    }
    this.#erase();
    this.#out.write(`${text}\n`);
    this.#rows = 0;
    if (this.#last.length > 0) this.#redraw();
  }

  /** Leaves the last panel on screen and forgets it, so later output goes below it. */
  finish(): void {
    this.#rows = 0;
    this.#last = [];
  }

  #erase(): void {
    // Cursor to the start of the panel's first row, then clear to the end of the screen.
    if (this.#rows > 0) this.#out.write(`\x1b[${this.#rows}F\x1b[J`);
  }

  #redraw(): void {
    this.#erase();
    const columns = this.#out.columns !== undefined && this.#out.columns > 0 ? this.#out.columns : 80;
    this.#out.write(`${this.#last.join('\n')}\n`);
    // Long lines wrap: count the rows they take so the next erase goes back far enough.
    this.#rows = this.#last.reduce((n, l) => n + Math.max(1, Math.ceil(visibleLength(l) / columns)), 0);
  }
}
