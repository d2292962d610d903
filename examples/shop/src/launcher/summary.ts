// The end-of-run summary, as a pure function of what the run recorded.
import { PLAIN, type Style } from './ansi.js';
import type { DashboardEventView } from './dashboard-snapshot.js';
import { millis, percent, seconds } from './progress.js';
import type { WindowStats } from './timeline.js';

export interface ChaosOutcome {
  /** ms after the start of the load, when it was applied. */
  readonly atMs: number;
  readonly label: string;
  /** `done`, or why it failed. */
  readonly result: string;
  /** Requests due in the 5 s before the event, and after it until the next one (at most 5 s). */
  readonly before: WindowStats;
  readonly after: WindowStats;
  /** Dashboard events (breaker transitions, ejections…) between this chaos event and the next, readable. */
  readonly effects: readonly string[];
}

export interface SummaryData {
  readonly elapsedMs: number;
  readonly durationMs: number;
  /** True when Ctrl-C cut the run short. */
  readonly interrupted: boolean;
  readonly targetRate: number;
  readonly requests: number;
  readonly ok: number;
  /** Failure reasons with their counts, most frequent first. */
  readonly failures: readonly (readonly [string, number])[];
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  /** Totals summed over the frontend's services; undefined without a dashboard. */
  readonly retries: number | undefined;
  readonly breakerTransitions: number | undefined;
  readonly ejections: number | undefined;
  readonly dashboardEvents: readonly DashboardEventView[];
  readonly chaos: readonly ChaosOutcome[];
  readonly notices: readonly string[];
  /** Every process the launcher started: instance id → pids (restarts give new ones). */
  readonly processes: readonly { readonly id: string; readonly pids: readonly number[] }[];
  readonly shopUrl: string;
  readonly dashboardUrl: string;
}

const DASH = '–';
const count = (n: number | undefined): string => (n === undefined ? DASH : String(n));

function stats(w: WindowStats): string {
  if (w.requests === 0) return 'no requests';
  return `${percent(w.successRate)} ok, p99 ${millis(w.p99Ms)} (${w.requests} requests)`;
}

export function renderSummary(d: SummaryData, style: Style = PLAIN): string {
  const successRate = d.requests === 0 ? undefined : d.ok / d.requests;
  const failed = d.requests - d.ok;
  const lines = [
    style.bold(`Summary${d.interrupted ? ' (interrupted)' : ''}`),
    `  ran            ${seconds(d.elapsedMs)} of ${seconds(d.durationMs)} at ${d.targetRate} req/s`,
    `  requests       ${d.requests} (${d.ok} answered 2xx, ${failed} failed)`,
    `  success rate   ${percent(successRate)}`,
  ];
  if (d.failures.length > 0) {
    lines.push(`  failures       ${d.failures.map(([why, n]) => `${why} × ${n}`).join(', ')}`);
  }
  lines.push(
    `  latency        p50 ${millis(d.p50Ms)}   p99 ${millis(d.p99Ms)}   p99.9 ${millis(d.p999Ms)}   max ${millis(d.maxMs)}`,
    `  retries        ${count(d.retries)} (by the frontend's clients)`,
    `  breakers       ${count(d.breakerTransitions)} transitions, ${count(d.ejections)} ejections`,
  );
  const breakerEvents = d.dashboardEvents.filter((e) => e.kind === 'breaker' || e.kind === 'eject');
  if (breakerEvents.length > 0) {
    const byKind = new Map<string, number>();
    for (const e of breakerEvents) byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + 1);
    lines.push(
      `  events seen    ${[...byKind].map(([k, n]) => `${n} ${k}`).join(', ')} on the dashboard during the run`,
    );
  }
  if (d.chaos.length > 0) {
    lines.push('  chaos');
    for (const c of d.chaos) {
      lines.push(`    ${seconds(c.atMs).padStart(8)}  ${c.label}: ${c.result}`);
      lines.push(`              before: ${stats(c.before)}`);
      lines.push(`              after:  ${stats(c.after)}`);
      if (c.effects.length > 0) lines.push(`              seen:   ${c.effects.join('; ')}`);
    }
  }
  for (const n of d.notices) lines.push(`  notice         ${n}`);
  const pids = d.processes.map((p) => `${p.id} ${p.pids.join('/')}`).join(', ');
  lines.push(`  processes      ${pids}`);
  lines.push(`  Shop:      ${d.shopUrl}`);
  lines.push(`  Dashboard: ${d.dashboardUrl}`);
  return lines.join('\n');
}

export interface AppliedEvent {
  readonly startedAtMs: number;
  readonly label: string;
  readonly result: string;
  readonly services: readonly string[];
  readonly before: WindowStats;
  readonly after: WindowStats;
}

/**
 * Adds to each applied chaos event the dashboard events (breaker transitions, ejections) of its services
 * between it and the next one. `eventTimeMs` maps a dashboard event (epoch ms) to ms after the start of the
 * load; `name` turns it into a readable subject (an instance id rather than an address).
 */
export function chaosOutcomes(
  applied: readonly AppliedEvent[],
  dashboardEvents: readonly DashboardEventView[],
  endMs: number,
  eventTimeMs: (e: DashboardEventView) => number,
  name: (e: DashboardEventView) => string,
): ChaosOutcome[] {
  const sorted = [...applied].sort((a, b) => a.startedAtMs - b.startedAtMs);
  return sorted.map((a, i) => {
    const next = sorted[i + 1]?.startedAtMs ?? endMs;
    const seen = dashboardEvents.filter((e) => {
      const t = eventTimeMs(e);
      return t >= a.startedAtMs && t < next && a.services.includes(e.service) && e.kind !== 'endpoint-added';
    });
    const shown = seen
      .slice(0, 5)
      .map((e) => `${name(e)} ${e.kind === 'breaker' ? e.detail : `${e.kind} ${e.detail}`}`);
    if (seen.length > shown.length) shown.push(`+${seen.length - shown.length} more`);
    return {
      atMs: a.startedAtMs,
      label: a.label,
      result: a.result,
      before: a.before,
      after: a.after,
      effects: shown.map((s) => s.trim()),
    };
  });
}
