import diagnostics from 'node:diagnostics_channel';
import { createDashboard, createHttpClient, type DashboardSnapshot } from '@breakwater/client';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { bucketOf, bucketUpper, LatencyHistogram } from '../src/core/latency-histogram.js';
import { staticRegistry } from './helpers/client.js';
import { startServers, type TestServer, until } from './helpers/servers.js';

/** A manually advanced epoch clock. */
class Clock {
  t = 1_700_000_000_000;
  now(): number {
    return this.t;
  }
}

const publish = (name: string, message: object): void => diagnostics.channel(name).publish(message);

const service = (snap: DashboardSnapshot, name: string) => {
  const s = snap.services.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no service ${name} in the snapshot`);
  return s;
};

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close()));
});

describe('LatencyHistogram', () => {
  it('puts every value in the bucket whose bounds hold it (≤ 12.5 % wide)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.0501, max: 200_000, noNaN: true }), (ms) => {
        const i = bucketOf(ms);
        expect(bucketUpper(i)).toBeGreaterThanOrEqual(ms);
        expect(bucketUpper(i - 1)).toBeLessThan(ms);
        expect(bucketUpper(i)).toBeLessThanOrEqual(ms * 1.125 * (1 + 1e-12));
      }),
      { seed: 42, numRuns: 2000 },
    );
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(0.05)).toBe(0);
    expect(bucketOf(1e12)).toBe(bucketOf(1e13)); // the last bucket holds everything above ≈ 210 s
  });

  it('gives p50/p99 within one bucket (≤ 12.5 %) of the exact quantiles', () => {
    const h = new LatencyHistogram();
    // 1..1000 ms: p50 = 500, p99 = 990.
    for (let i = 1; i <= 1000; i++) h.record(i);
    expect(h.count).toBe(1000);
    expect(h.quantile(0.5)).toBeGreaterThanOrEqual(500);
    expect(h.quantile(0.5)).toBeLessThanOrEqual(500 * 1.125);
    expect(h.quantile(0.99)).toBeGreaterThanOrEqual(990);
    expect(h.quantile(0.99)).toBeLessThanOrEqual(1000);
  });

  it('is exact for one repeated value and clamps to the observed range', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 10; i++) h.record(7.3);
    expect(h.quantile(0.5)).toBe(7.3);
    expect(h.quantile(0.99)).toBe(7.3);
    h.record(0.001);
    expect(h.quantile(0)).toBe(0.001);
  });

  it('ignores NaN and negatives, is empty (0) after reset, and keeps huge values in the last bucket', () => {
    const h = new LatencyHistogram();
    h.record(Number.NaN);
    h.record(-1);
    expect(h.count).toBe(0);
    expect(h.quantile(0.99)).toBe(0);
    h.record(1e9);
    expect(h.quantile(0.5)).toBe(1e9);
    h.reset();
    expect(h.count).toBe(0);
    expect(h.quantile(0.5)).toBe(0);
  });
});

describe('collector figures (channels driven by hand, injected clock, explicit tick)', () => {
  it('computes rate, success rate, p50/p99, retries, hedges and budget refusals per interval', () => {
    const clock = new Clock();
    const d = createDashboard({ clock, intervalMs: 1000, historyPoints: 5 });
    open.push(d);
    const svc = 'fig-a';
    // 20 calls in a 2 s interval: 15 successes (10..150 ms), 3 server errors, 1 rejected, 1 cancelled.
    for (let i = 1; i <= 15; i++)
      publish('breakwater:request:end', { service: svc, outcome: 'success', durationMs: i * 10 });
    for (let i = 0; i < 3; i++)
      publish('breakwater:request:end', { service: svc, outcome: 'server_error', durationMs: 5 });
    publish('breakwater:request:end', { service: svc, outcome: 'rejected', durationMs: 0 });
    publish('breakwater:request:end', { service: svc, outcome: 'cancelled', durationMs: 1 });
    for (let i = 0; i < 4; i++) publish('breakwater:retry', { service: svc, attempt: 1, delayMs: 5 });
    publish('breakwater:hedge', { service: svc, attempt: 2 });
    publish('breakwater:budget:exhausted', { service: svc });
    publish('breakwater:attempt:end', { service: svc, endpoint: 'e1', outcome: 'success', durationMs: 8 });
    publish('breakwater:attempt:end', { service: svc, endpoint: 'e1', outcome: 'error', durationMs: 4 });
    publish('breakwater:attempt:end', { service: svc, endpoint: 'e1', outcome: 'cancelled', durationMs: 1 });
    clock.t += 2000;
    d.tick();
    const s = service(d.snapshot(), svc);
    expect(s.rate).toBe(10); // 20 calls / 2 s
    expect(s.successRate).toBe(0.7895); // 15 / (15 + 3 errors + 1 rejected): the cancelled one does not count
    // Latencies: 15 successes + 3 errors (5 ms each), refusals and cancellations excluded: the 9th of
    // 18 sorted values (5, 5, 5, 10, 20, …) is 60 ms.
    expect(s.p50Ms).toBeGreaterThanOrEqual(60);
    expect(s.p50Ms).toBeLessThanOrEqual(60 * 1.125);
    expect(s.p99Ms).toBe(150);
    expect(s.retries).toBe(4);
    expect(s.hedges).toBe(1);
    expect(s.budgetExhausted).toBe(1);
    expect(s.totals).toMatchObject({ requests: 20, successes: 15, failures: 4, retries: 4, hedges: 1 });
    expect(s.breaker).toBe('none'); // no source and no transition seen
    expect(s.bulkhead).toBeNull();
    expect(s.budget).toBeNull();
    const e = s.endpoints.find((x) => x.id === 'e1')!;
    expect(e.rate).toBe(1.5); // 3 attempts / 2 s
    expect(e.successRate).toBe(0.5); // cancelled attempts excluded
    expect(e.p99Ms).toBe(8);
    expect(e.totals).toEqual({ attempts: 3, failures: 1, breakerTransitions: 0, ejections: 0 });
    expect(e.address).toBe('e1');

    // A quiet interval: rate 0, success rate 1, the per-interval counters reset, totals kept.
    clock.t += 1000;
    d.tick();
    const q = service(d.snapshot(), svc);
    expect(q).toMatchObject({ rate: 0, successRate: 1, p50Ms: 0, p99Ms: 0, retries: 0, hedges: 0 });
    expect(q.totals.requests).toBe(20);
    expect(q.history.rate).toEqual([10, 0]);
    expect(q.history.successRate).toEqual([0.7895, 1]);
  });

  it('keeps history bounded to historyPoints, oldest first', () => {
    const clock = new Clock();
    const d = createDashboard({ clock, historyPoints: 3 });
    open.push(d);
    for (let i = 1; i <= 5; i++) {
      for (let k = 0; k < i; k++)
        publish('breakwater:request:end', { service: 'fig-h', outcome: 'success', durationMs: 1 });
      clock.t += 1000;
      d.tick();
    }
    expect(service(d.snapshot(), 'fig-h').history.rate).toEqual([3, 4, 5]);
  });

  it('closes the interval lazily when a snapshot is read after intervalMs without a tick', () => {
    const clock = new Clock();
    const d = createDashboard({ clock, intervalMs: 500 });
    open.push(d);
    publish('breakwater:request:end', { service: 'fig-l', outcome: 'success', durationMs: 3 });
    clock.t += 499;
    expect(service(d.snapshot(), 'fig-l').rate).toBe(0); // interval still open
    clock.t += 501;
    expect(service(d.snapshot(), 'fig-l').rate).toBe(1); // 1 call over 1 s
  });

  it('records breaker transitions, ejections and endpoints added/removed as events, bounded', () => {
    const clock = new Clock();
    const d = createDashboard({ clock, maxEvents: 5 });
    open.push(d);
    const svc = 'fig-e';
    publish('breakwater:endpoints', { service: svc, endpoints: ['a', 'b'] });
    publish('breakwater:breaker:state', { service: svc, endpoint: 'a', from: 'closed', to: 'open' });
    publish('breakwater:breaker:state', { service: svc, endpoint: undefined, from: 'closed', to: 'open' });
    publish('breakwater:eject', {
      service: svc,
      endpoint: 'b',
      reason: 'consecutive-5xx',
      durationMs: 30_000,
      ejections: 1,
    });
    let s = service(d.snapshot(), svc);
    expect(s.breaker).toBe('open');
    const a = s.endpoints.find((e) => e.id === 'a')!;
    const b = s.endpoints.find((e) => e.id === 'b')!;
    expect(a).toMatchObject({ breaker: 'open', healthy: false, ejected: false });
    expect(a.totals.breakerTransitions).toBe(1);
    expect(b).toMatchObject({ breaker: 'closed', ejected: true, healthy: false });
    expect(s.totals).toMatchObject({ breakerTransitions: 2, ejections: 1 });
    const snap = d.snapshot();
    expect(snap.events.map((e) => [e.kind, e.endpoint, e.detail])).toEqual([
      ['endpoint-added', 'a', 'appeared in the registry'],
      ['endpoint-added', 'b', 'appeared in the registry'],
      ['breaker', 'a', 'closed → open'],
      ['breaker', undefined, 'closed → open'],
      ['eject', 'b', 'consecutive-5xx for 30000 ms'],
    ]);
    expect(snap.events[0]!.at).toBe(clock.t);

    publish('breakwater:uneject', { service: svc, endpoint: 'b' });
    publish('breakwater:endpoints', { service: svc, endpoints: ['b', 'c'] });
    s = service(d.snapshot(), svc);
    expect(s.endpoints.map((e) => e.id).sort()).toEqual(['b', 'c']); // 'a' dropped after being reported
    expect(s.endpoints.find((e) => e.id === 'b')!.ejected).toBe(false);
    const events = d.snapshot().events;
    expect(events).toHaveLength(5); // bounded: the oldest fell off
    expect(events.slice(-3).map((e) => [e.kind, e.endpoint])).toEqual([
      ['uneject', 'b'],
      ['endpoint-added', 'c'],
      ['endpoint-removed', 'a'],
    ]);
  });

  it('reports discovery errors as events, truncated', () => {
    const d = createDashboard({ clock: new Clock() });
    open.push(d);
    publish('breakwater:discovery:error', { service: 'fig-d', error: new Error('x'.repeat(500)) });
    const ev = d.snapshot().events.at(-1)!;
    expect(ev.kind).toBe('discovery-error');
    expect(ev.detail.length).toBeLessThanOrEqual(201);
  });
});

describe('with a real HTTP client and servers', () => {
  let servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    servers = [];
  });

  it('sees calls, endpoint addresses, the breaker opening and the live state via inspect()', async () => {
    servers = await startServers(3, 'dash');
    servers[2]!.fault = { kind: 'status', status: 503 };
    const client = createHttpClient({
      registry: staticRegistry(servers, 'dash-svc'),
      services: {
        'dash-svc': {
          retry: { maxAttempts: 3 },
          budget: { percentCanRetry: 1, minRetriesPerSecond: 100 },
          balancer: { policy: 'round-robin' },
          bulkhead: { maxConcurrent: 10, maxQueue: 5 },
        },
      },
    });
    const clock = new Clock();
    const d = createDashboard({ clock, sources: [client] });
    open.push(d, client);
    for (let i = 0; i < 30; i++) {
      const res = await client.request('dash-svc', { path: '/x' });
      await res.body.dump();
    }
    clock.t += 1000;
    d.tick();
    const s = service(d.snapshot(), 'dash-svc');
    expect(s.totals.requests).toBe(30);
    expect(s.rate).toBe(30);
    expect(s.totals.retries).toBeGreaterThan(0);
    expect(s.breaker).toBe('closed');
    expect(s.bulkhead).toEqual({ inFlight: 0, queued: 0 });
    expect(s.budget!.balance).toBeGreaterThan(0);
    expect(s.endpoints.map((e) => e.address).sort()).toEqual(
      servers.map((x) => `127.0.0.1:${x.port}`).sort(),
    );
    const bad = s.endpoints.find((e) => e.id === servers[2]!.name)!;
    // 5 consecutive failures (the default endpoint breaker) opened it.
    expect(bad.breaker).toBe('open');
    expect(bad.totals.failures).toBeGreaterThanOrEqual(5);
    expect(bad.successRate).toBe(0);
    const good = s.endpoints.find((e) => e.id === servers[0]!.name)!;
    expect(good.successRate).toBe(1);
    expect(good.p99Ms).toBeGreaterThan(0);
    const events = d.snapshot().events.filter((e) => e.service === 'dash-svc');
    expect(events.filter((e) => e.kind === 'endpoint-added').map((e) => e.endpoint)).toHaveLength(3);
    expect(events).toContainEqual(
      expect.objectContaining({ kind: 'breaker', endpoint: servers[2]!.name, detail: 'closed → open' }),
    );
    // The client's own view agrees.
    const [view] = client.inspect();
    expect(view!.name).toBe('dash-svc');
    expect(view!.endpoints.find((e) => e.id === servers[2]!.name)!.breaker).toBe('open');
    await client.close();
    expect(client.inspect()).toEqual([]);
    await until(() => true);
  });
});
