import { describe, expect, it } from 'vitest';
import type { DashboardEventView } from '../src/launcher/dashboard-snapshot.js';
import { chaosOutcomes, renderSummary, type SummaryData } from '../src/launcher/summary.js';

const DATA: SummaryData = {
  elapsedMs: 8_000,
  durationMs: 8_000,
  interrupted: false,
  targetRate: 40,
  requests: 320,
  ok: 318,
  failures: [
    ['503', 1],
    ['UND_ERR_HEADERS_TIMEOUT', 1],
  ],
  p50Ms: 3.2,
  p99Ms: 45.1,
  p999Ms: 120.3,
  maxMs: 130,
  retries: 12,
  breakerTransitions: 4,
  ejections: 1,
  dashboardEvents: [],
  chaos: [
    {
      atMs: 1_200,
      label: 'slow catalog-1 (latency 200–400 ms on every request)',
      result: 'done',
      before: { requests: 48, successRate: 1, p99Ms: 6 },
      after: { requests: 48, successRate: 0.98, p99Ms: 380 },
      effects: ['catalog-1 closed → open'],
    },
    {
      atMs: 4_000,
      label: 'kill -9 pricing-3',
      result: 'done',
      before: { requests: 0, successRate: undefined, p99Ms: 0 },
      after: { requests: 10, successRate: 1, p99Ms: 3 },
      effects: [],
    },
  ],
  notices: ['cart-1 (pid 5) exited unexpectedly'],
  processes: [
    { id: 'catalog-1', pids: [101] },
    { id: 'pricing-3', pids: [102, 150] },
    { id: 'frontend', pids: [103] },
  ],
  shopUrl: 'http://127.0.0.1:8080/',
  dashboardUrl: 'http://127.0.0.1:8080/dashboard/',
};

describe('renderSummary', () => {
  it('shows totals, success rate, percentiles, retries, breakers, chaos with its surroundings, pids and URLs', () => {
    expect(renderSummary(DATA).split('\n')).toEqual([
      'Summary',
      '  ran            8.0 s of 8.0 s at 40 req/s',
      '  requests       320 (318 answered 2xx, 2 failed)',
      '  success rate   99.38 %',
      '  failures       503 × 1, UND_ERR_HEADERS_TIMEOUT × 1',
      '  latency        p50 3.2 ms   p99 45 ms   p99.9 120 ms   max 130 ms',
      "  retries        12 (by the frontend's clients)",
      '  breakers       4 transitions, 1 ejections',
      '  chaos',
      '       1.2 s  slow catalog-1 (latency 200–400 ms on every request): done',
      '              before: 100.00 % ok, p99 6.0 ms (48 requests)',
      '              after:  98.00 % ok, p99 380 ms (48 requests)',
      '              seen:   catalog-1 closed → open',
      '       4.0 s  kill -9 pricing-3: done',
      '              before: no requests',
      '              after:  100.00 % ok, p99 3.0 ms (10 requests)',
      '  notice         cart-1 (pid 5) exited unexpectedly',
      '  processes      catalog-1 101, pricing-3 102/150, frontend 103',
      '  Shop:      http://127.0.0.1:8080/',
      '  Dashboard: http://127.0.0.1:8080/dashboard/',
    ]);
  });

  it('says when it was interrupted and shows "–" for what the dashboard did not tell', () => {
    const text = renderSummary({
      ...DATA,
      interrupted: true,
      requests: 0,
      ok: 0,
      failures: [],
      retries: undefined,
      breakerTransitions: undefined,
      ejections: undefined,
      chaos: [],
      notices: [],
    });
    expect(text).toMatch(/^Summary \(interrupted\)/);
    expect(text).toContain('success rate   –');
    expect(text).toContain("retries        – (by the frontend's clients)");
    expect(text).toContain('breakers       – transitions, – ejections');
    expect(text).not.toContain('chaos');
  });
});

describe('chaosOutcomes', () => {
  const ev = (
    at: number,
    service: string,
    kind: string,
    detail: string,
    endpoint?: string,
  ): DashboardEventView => ({
    at,
    service,
    endpoint,
    kind,
    detail,
  });
  const none = { requests: 0, successRate: undefined, p99Ms: 0 };

  it("attributes dashboard events to the chaos event before them, for that event's services only", () => {
    const wallT0 = 1_000_000;
    const out = chaosOutcomes(
      [
        {
          startedAtMs: 4_000,
          label: 'kill -9 pricing-3',
          result: 'done',
          services: ['pricing'],
          before: none,
          after: none,
        },
        {
          startedAtMs: 1_000,
          label: 'slow catalog-1',
          result: 'done',
          services: ['catalog'],
          before: none,
          after: none,
        },
      ],
      [
        ev(wallT0 + 500, 'catalog', 'breaker', 'closed → open', '127.0.0.1:7001'), // before any chaos
        ev(wallT0 + 1_500, 'catalog', 'breaker', 'closed → open', '127.0.0.1:7001'),
        ev(wallT0 + 1_600, 'catalog', 'eject', 'consecutive-5xx', '127.0.0.1:7001'),
        ev(wallT0 + 1_700, 'cart', 'breaker', 'closed → open', '127.0.0.1:7101'), // another service
        ev(wallT0 + 4_500, 'pricing', 'breaker', 'closed → open', '127.0.0.1:7203'),
        ev(wallT0 + 4_600, 'pricing', 'endpoint-added', '127.0.0.1:7203'),
      ],
      8_000,
      (e) => e.at - wallT0,
      (e) => (e.endpoint === '127.0.0.1:7001' ? 'catalog-1' : (e.endpoint ?? e.service)),
    );
    expect(out.map((o) => [o.atMs, o.effects])).toEqual([
      [1_000, ['catalog-1 closed → open', 'catalog-1 eject consecutive-5xx']],
      [4_000, ['127.0.0.1:7203 closed → open']],
    ]);
  });

  it('shows at most five effects and counts the rest', () => {
    const events = Array.from({ length: 8 }, (_, i) => ev(10 + i, 'cart', 'breaker', `t${i}`));
    const [o] = chaosOutcomes(
      [{ startedAtMs: 0, label: 'x', result: 'done', services: ['cart'], before: none, after: none }],
      events,
      100,
      (e) => e.at,
      (e) => e.service,
    );
    expect(o?.effects).toEqual(['cart t0', 'cart t1', 'cart t2', 'cart t3', 'cart t4', '+3 more']);
  });
});
