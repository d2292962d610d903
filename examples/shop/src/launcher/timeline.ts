// What the load looked like around each chaos event, for the summary: every request is attributed by its due
// time to the window before an event (the 5 s before it) and the window after it (until the next event, at
// most 5 s). The windows come from the schedule, so the cost is a few histograms, whatever the run's length.
import { LatencyHistogram } from './latency-histogram.js';

export interface WindowStats {
  readonly requests: number;
  /** 0–1; undefined when there were no requests. */
  readonly successRate: number | undefined;
  readonly p99Ms: number;
}

/** The 5 s before an event, and the time after it until the next event (at most 5 s). */
export const AROUND_MS = 5_000;

class Window {
  readonly histogram = new LatencyHistogram();
  ok = 0;
  constructor(
    readonly fromMs: number,
    readonly toMs: number,
  ) {}

  stats(): WindowStats {
    const n = this.histogram.count;
    return {
      requests: n,
      successRate: n === 0 ? undefined : this.ok / n,
      p99Ms: this.histogram.percentile(0.99),
    };
  }
}

export class EventWindows {
  readonly #before: Window[];
  readonly #after: Window[];

  /** `eventsAtMs`: the events' times after the start of the load, ascending. */
  constructor(eventsAtMs: readonly number[], durationMs: number, aroundMs = AROUND_MS) {
    this.#before = eventsAtMs.map((at) => new Window(Math.max(0, at - aroundMs), at));
    this.#after = eventsAtMs.map(
      (at, i) => new Window(at, Math.min(eventsAtMs[i + 1] ?? durationMs, at + aroundMs, durationMs)),
    );
  }

  /** A finished request, by the time it was due (ms after the start of the load). */
  record(dueMs: number, latencyMs: number, ok: boolean): void {
    for (const list of [this.#before, this.#after]) {
      for (const w of list) {
        if (dueMs < w.fromMs || dueMs >= w.toMs) continue;
        w.histogram.record(latencyMs);
        if (ok) w.ok++;
      }
    }
  }

  /** Stats of the i-th event's windows. */
  around(i: number): { before: WindowStats; after: WindowStats } | undefined {
    const b = this.#before[i];
    const a = this.#after[i];
    return b === undefined || a === undefined ? undefined : { before: b.stats(), after: a.stats() };
  }
}
