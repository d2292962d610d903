import { createHttpClient } from '@breakwater/client';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { HedgeDelay } from '../src/core/hedge-delay.js';
import { EventLog, staticRegistry } from './helpers/client.js';
import { startServers, TestClock, type TestServer, until, watch } from './helpers/servers.js';

let servers: TestServer[] = [];
const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});

describe('HedgeDelay (the adaptive delay estimator)', () => {
  it('is Infinity until minSamples, then the percentile within one bucket (≤ 12.5 % above)', () => {
    const d = new HedgeDelay(1_000, 100);
    for (let ms = 1; ms < 100; ms++) d.record(ms);
    expect(d.delay(0.95)).toBe(Number.POSITIVE_INFINITY);
    d.record(100);
    expect(d.delay(0.95)).toBeLessThanOrEqual(100); // ready at once with the 100th sample
    for (let ms = 101; ms <= 1_000; ms++) d.record(ms);
    // 1..1000 ms: the exact p95 is 950.
    expect(d.delay(0.95)).toBeGreaterThanOrEqual(950);
    expect(d.delay(0.95)).toBeLessThanOrEqual(950 * 1.125);
    expect(d.delay(0.5)).toBeGreaterThanOrEqual(500);
    expect(d.delay(0.5)).toBeLessThanOrEqual(500 * 1.125);
  });

  it('forgets attempts older than two windows', () => {
    const d = new HedgeDelay(100, 10);
    for (let i = 0; i < 100; i++) d.record(500);
    expect(d.delay(0.95)).toBeGreaterThanOrEqual(500);
    // Two more windows of 2 ms attempts push the 500 ms ones out entirely.
    for (let i = 0; i < 200; i++) d.record(2);
    expect(d.delay(0.95)).toBeLessThanOrEqual(2 * 1.125);
    // Negative or NaN latencies (clock glitches) are not samples.
    d.record(Number.NaN);
    d.record(-1);
    expect(d.delay(0.99)).toBeLessThanOrEqual(2 * 1.125);
  });
});

describe('adaptive hedging, hedge: {} (idempotent calls)', () => {
  async function setup(hedge: object | null = {}) {
    servers = await startServers(3);
    const clock = new TestClock();
    const client = createHttpClient({
      registry: staticRegistry(servers),
      clock,
      timerResolutionMs: 1,
      services: {
        catalog: {
          balancer: { policy: 'round-robin' },
          endpointBreaker: false,
          ...(hedge === null ? {} : { hedge }),
        },
      },
    });
    closers.push(() => client.close());
    const events = new EventLog('breakwater:hedge');
    closers.push(async () => events.stop());
    const get = () =>
      watch(request('http://catalog/h', { dispatcher: client.dispatcher }).then((res) => res.body.text()));
    return { clock, client, events, get };
  }

  /** Sends calls until the hanging server s0 has one in flight; returns it (the others are answered). */
  async function callToSlow(get: () => ReturnType<typeof watch<string>>) {
    for (let i = 0; i < 3; i++) {
      const before = servers[0]!.requests;
      const call = get();
      await until(() => call.settled || servers[0]!.requests > before, 5_000, 'an answer or s0');
      if (!call.settled) return call;
    }
    throw new Error('round-robin never reached s0');
  }

  it('sends no hedge before the service has 100 answered attempts', async () => {
    const { clock, events, get } = await setup();
    servers[0]!.fault = { kind: 'hang' };
    const call = await callToSlow(get);
    clock.advance(5_000); // far past any delay, still inside the 15 s deadline
    await clock.ticked();
    expect(call.settled).toBe(false);
    expect(events.of('breakwater:hedge')).toHaveLength(0);
    clock.advance(10_000); // the deadline ends it
    await until(() => call.settled, 5_000, 'the deadline');
  });

  it('then hedges a slow attempt after the observed p95 (here the 1 ms floor: answers take 0 ms on the frozen clock)', async () => {
    const { clock, events, get } = await setup();
    for (let i = 0; i < 120; i++) expect(await get().promise).toMatch(/^s[012]:/);
    expect(events.of('breakwater:hedge')).toHaveLength(0); // fast answers are never hedged
    servers[0]!.fault = { kind: 'hang' };
    const call = await callToSlow(get);
    await clock.ticked();
    expect(call.settled).toBe(false);
    expect(events.of('breakwater:hedge')).toHaveLength(0);
    clock.advance(1);
    await until(() => call.settled, 5_000, 'the hedge to answer');
    expect(events.of('breakwater:hedge')).toHaveLength(1);
    expect(await call.promise).toMatch(/^s[12]:/);
  });

  it('is off without hedge options (the default)', async () => {
    const { clock, events, get } = await setup(null);
    for (let i = 0; i < 120; i++) await get().promise;
    servers[0]!.fault = { kind: 'hang' };
    const call = await callToSlow(get);
    clock.advance(1_000);
    await clock.ticked();
    expect(call.settled).toBe(false);
    expect(events.of('breakwater:hedge')).toHaveLength(0);
    clock.advance(15_000);
    await until(() => call.settled, 5_000, 'the deadline');
  });

  it('rejects a percentile outside (0, 1) and a fixed delay mixed with adaptive options, naming the option', () => {
    servers = [];
    const registry = staticRegistry([]);
    const make = (hedge: object) => () =>
      createHttpClient({ registry, services: { catalog: { hedge } } as never });
    expect(make({ percentile: 1 })).toThrow(/services\.catalog\.hedge\.percentile/);
    expect(make({ percentile: 0 })).toThrow(RangeError);
    expect(make({ delayMs: 10, percentile: 0.9 })).toThrow(/services\.catalog\.hedge/);
    expect(make({ minDelayMs: -1 })).toThrow(/services\.catalog\.hedge\.minDelayMs/);
  });
});
