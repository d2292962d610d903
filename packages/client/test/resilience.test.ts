import { ConsecutiveFailures } from '@breakwater/breaker';
import {
  createHttpClient,
  isDeadlineExceededError,
  isPerTryTimeoutError,
  isRequestFailedError,
} from '@breakwater/client';
import { constant, immediate } from '@breakwater/retry';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, EventLog, staticRegistry } from './helpers/client.js';
import { startServers, TestClock, type TestServer, until, watch } from './helpers/servers.js';

let servers: TestServer[] = [];
const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});

function total(): number {
  return servers.reduce((n, s) => n + s.requests, 0);
}

async function get(dispatcher: import('undici').Dispatcher, path = '/x'): Promise<number> {
  const res = await request(`http://catalog${path}`, { dispatcher });
  await res.body.dump();
  return res.statusCode;
}

describe('endpoint circuit breakers', () => {
  it('open on a failing endpoint, skip it, and recover through half-open (injected clock)', async () => {
    servers = await startServers(3);
    const clock = new TestClock();
    const client = createHttpClient({
      registry: staticRegistry(servers),
      clock,
      services: {
        catalog: {
          balancer: { policy: 'round-robin' },
          endpointBreaker: {
            strategy: () => new ConsecutiveFailures({ threshold: 3 }),
            openDurationMs: 1_000,
          },
          serviceBreaker: false,
          retry: false,
        },
      },
    });
    closers.push(() => client.close());
    servers[0]!.fault = { kind: 'status', status: 503 };
    const { messages } = await collect('breakwater:breaker:state', async () => {
      for (let i = 0; i < 30 && servers[0]!.requests < 3; i++) await get(client.dispatcher);
      expect(servers[0]!.requests).toBe(3);
      expect(client.endpoints('catalog').find((e) => e.id === 's0')?.breaker).toBe('open');
      // While open, s0 gets nothing.
      for (let i = 0; i < 20; i++) expect(await get(client.dispatcher)).toBe(200);
      expect(servers[0]!.requests).toBe(3);
      // Open time over, still failing: the half-open probe fails and the breaker reopens.
      clock.advance(1_001);
      for (let i = 0; i < 10 && servers[0]!.requests < 4; i++) await get(client.dispatcher);
      expect(servers[0]!.requests).toBe(4);
      expect(client.endpoints('catalog').find((e) => e.id === 's0')?.breaker).toBe('open');
      // Healthy again: the next probe closes it and s0 takes traffic.
      servers[0]!.fault = { kind: 'ok' };
      clock.advance(1_001);
      for (let i = 0; i < 12; i++) expect(await get(client.dispatcher)).toBe(200);
      expect(client.endpoints('catalog').find((e) => e.id === 's0')?.breaker).toBe('closed');
      expect(servers[0]!.requests).toBeGreaterThan(6);
    });
    const s0 = messages.filter((m) => m.endpoint === 's0').map((m) => `${m.from}>${m.to}`);
    expect(s0).toEqual([
      'closed>open',
      'open>half-open',
      'half-open>open',
      'open>half-open',
      'half-open>closed',
    ]);
  });

  it('a killed endpoint is retried around, and takes traffic again after a restart', async () => {
    servers = await startServers(3);
    const client = createHttpClient({
      registry: staticRegistry(servers),
      evaluateIntervalMs: 10,
      services: {
        catalog: {
          balancer: { policy: 'round-robin' },
          endpointBreaker: { strategy: () => new ConsecutiveFailures({ threshold: 2 }), openDurationMs: 50 },
        },
      },
    });
    closers.push(() => client.close());
    const port = servers[0]!.port;
    await servers[0]!.stop();
    for (let i = 0; i < 12; i++) expect(await get(client.dispatcher)).toBe(200);
    const { TestServer: Server } = await import('./helpers/servers.js');
    const revived = await new Server('s0-again').start(port);
    servers.push(revived);
    // Drive traffic (bounded): requests are what re-admit the endpoint, there are no timers.
    const end = performance.now() + 10_000;
    while (revived.requests === 0 && performance.now() < end) expect(await get(client.dispatcher)).toBe(200);
    expect(revived.requests).toBeGreaterThan(0);
  });
});

describe('retry budget', () => {
  it('caps retry amplification under a full outage', async () => {
    servers = await startServers(3);
    const clock = new TestClock();
    const make = (budget: boolean) =>
      createHttpClient({
        registry: staticRegistry(servers),
        clock,
        services: {
          catalog: {
            endpointBreaker: false,
            serviceBreaker: false,
            balancer: { policy: 'round-robin' },
            retry: { maxAttempts: 5, backoff: immediate },
            budget: budget ? { percentCanRetry: 0.2, minRetriesPerSecond: 1, ttl: 10_000 } : false,
          },
        },
      });
    for (const s of servers) s.fault = { kind: 'status', status: 503 };
    const limited = make(true);
    closers.push(() => limited.close());
    const { messages } = await collect('breakwater:budget:exhausted', async () => {
      for (let i = 0; i < 100; i++) expect(await get(limited.dispatcher)).toBe(503);
    });
    // 100 calls may retry at most 20 % of 100 plus the 10-retry reserve (1/s over 10 s).
    expect(total()).toBeLessThanOrEqual(100 + 20 + 10);
    expect(total()).toBeGreaterThanOrEqual(100 + 10);
    expect(messages.length).toBeGreaterThan(0);
    for (const s of servers) s.seen.length = 0;
    const unlimited = make(false);
    closers.push(() => unlimited.close());
    for (let i = 0; i < 20; i++) await get(unlimited.dispatcher);
    expect(total()).toBe(100); // 5 attempts each without a budget
  });
});

describe('deadlines and timeouts', () => {
  it('a hanging service fails exactly at the deadline with a typed error, end to end (injected clock)', async () => {
    servers = await startServers(2);
    for (const s of servers) s.fault = { kind: 'hang' };
    const clock = new TestClock();
    const client = createHttpClient({
      registry: staticRegistry(servers),
      clock,
      timerResolutionMs: 1,
      services: { catalog: { timeoutMs: 300 } },
    });
    closers.push(() => client.close());
    const call = watch(request('http://catalog/x', { dispatcher: client.dispatcher }).catch((e) => e));
    await until(() => total() === 1, 5_000, 'the attempt to arrive');
    // 1 ms before the deadline: the client's ticker sees the time, and the call keeps waiting.
    clock.advance(299);
    await clock.ticked();
    expect(call.settled).toBe(false);
    clock.advance(1);
    await until(() => call.settled, 5_000, 'the call to fail at the deadline');
    const err = await call.promise;
    expect(isDeadlineExceededError(err)).toBe(true);
    expect(err.report).toMatchObject({ service: 'catalog', timeoutMs: 300, attempts: 1, elapsedMs: 300 });
    expect(total()).toBe(1);
    // Sent at injected time 0, the attempt was told the whole 300 ms.
    expect(servers.flatMap((s) => s.seen)[0]!.headers['x-breakwater-deadline-ms']).toBe('300');
  });

  it('per-try timeouts move the call to other endpoints, each told less time', async () => {
    servers = await startServers(3);
    for (const s of servers) s.fault = { kind: 'hang' };
    const client = createHttpClient({
      registry: staticRegistry(servers),
      services: { catalog: { timeoutMs: 5_000, perTryTimeoutMs: 100, retry: { backoff: constant(1) } } },
    });
    closers.push(() => client.close());
    const err = await request('http://catalog/x', { dispatcher: client.dispatcher }).catch((e) => e);
    expect(isRequestFailedError(err)).toBe(true);
    expect(err.reason).toBe('attempts-exhausted');
    expect(isPerTryTimeoutError(err.cause)).toBe(true);
    expect(new Set(err.report.endpoints).size).toBe(3);
    const sent = servers
      .flatMap((s) => s.seen)
      .map((s) => Number(s.headers['x-breakwater-deadline-ms']))
      .sort((a, b) => b - a);
    expect(sent).toHaveLength(3);
    expect(sent[0]!).toBeGreaterThan(sent[2]!);
  });

  it('never retries past the deadline: a Retry-After beyond it returns the response at once', async () => {
    servers = await startServers(2);
    for (const s of servers) s.fault = { kind: 'status', status: 503, headers: { 'retry-after': '2' } };
    // The injected clock never moves: a call that waited for the Retry-After, or for its deadline,
    // would never end.
    const client = createHttpClient({
      registry: staticRegistry(servers),
      clock: new TestClock(),
      timerResolutionMs: 1,
      services: { catalog: { timeoutMs: 500 } },
    });
    closers.push(() => client.close());
    const events = new EventLog('breakwater:retry', 'breakwater:request:end');
    closers.push(async () => events.stop());
    const call = watch(get(client.dispatcher));
    await until(() => call.settled, 5_000, 'the 503 to be returned');
    expect(await call.promise).toBe(503);
    expect(total()).toBe(1);
    expect(events.of('breakwater:retry')).toEqual([]);
    expect(events.of('breakwater:request:end')).toMatchObject([
      { statusCode: 503, attempts: 1, durationMs: 0 },
    ]);
  });

  it('honours Retry-After within the deadline (injected clock)', async () => {
    servers = await startServers(2);
    for (const s of servers) s.fault = { kind: 'status', status: 503, headers: { 'retry-after': '1' } };
    const clock = new TestClock();
    const client = createHttpClient({
      registry: staticRegistry(servers),
      clock,
      timerResolutionMs: 1,
      services: { catalog: { timeoutMs: 5_000, retry: { maxAttempts: 2 } } },
    });
    closers.push(() => client.close());
    const events = new EventLog('breakwater:retry', 'breakwater:attempt:end');
    closers.push(async () => events.stop());
    const call = watch(get(client.dispatcher));
    // Once the first attempt has ended, the retry is scheduled: 1 s after now on the injected clock.
    await until(() => events.of('breakwater:attempt:end').length === 1, 5_000, 'the first 503');
    expect(events.of('breakwater:retry')).toMatchObject([{ attempt: 1, delayMs: 1_000, statusCode: 503 }]);
    clock.advance(999);
    await clock.ticked();
    expect(total()).toBe(1);
    expect(call.settled).toBe(false);
    clock.advance(1);
    await until(() => call.settled, 5_000, 'the retried call to end');
    expect(await call.promise).toBe(503);
    expect(total()).toBe(2);
  });
});

describe('hedging', () => {
  it('a hedge answers for a slow endpoint once the hedge delay has passed (injected clock)', async () => {
    servers = await startServers(3);
    servers[0]!.fault = { kind: 'hang' }; // slower than anything: only a hedge can answer for it
    const clock = new TestClock();
    const client = createHttpClient({
      registry: staticRegistry(servers),
      clock,
      timerResolutionMs: 1,
      services: {
        catalog: {
          balancer: { policy: 'round-robin' },
          hedge: { delayMs: 30 },
          endpointBreaker: false,
        },
      },
    });
    closers.push(() => client.close());
    const events = new EventLog('breakwater:hedge', 'breakwater:attempt:end', 'breakwater:request:end');
    closers.push(async () => events.stop());
    for (let i = 0; i < 6; i++) {
      const toSlow = servers[0]!.requests;
      const hedges = events.of('breakwater:hedge').length;
      const call = watch(
        request('http://catalog/h', { dispatcher: client.dispatcher }).then((res) => res.body.text()),
      );
      await until(
        () => call.settled || servers[0]!.requests > toSlow,
        5_000,
        'an answer or the slow endpoint',
      );
      if (!call.settled) {
        // Sent to the slow endpoint: no hedge before the hedge delay has passed on the clock.
        clock.advance(29);
        await clock.ticked();
        expect(events.of('breakwater:hedge')).toHaveLength(hedges);
        expect(call.settled).toBe(false);
        clock.advance(1);
        await until(() => call.settled, 5_000, 'the hedge to answer');
        expect(events.of('breakwater:hedge')).toHaveLength(hedges + 1);
      }
      expect(await call.promise).toMatch(/^s[12]:/);
    }
    expect(servers[0]!.requests).toBeGreaterThan(0);
    // Every call the slow endpoint got was hedged, and took the hedge delay (injected clock);
    // the others were answered at once.
    expect(events.of('breakwater:hedge')).toHaveLength(servers[0]!.requests);
    const durations = events.of('breakwater:request:end').map((m) => m.durationMs);
    expect(durations.filter((d) => d === 30)).toHaveLength(servers[0]!.requests);
    expect(durations.filter((d) => d === 0)).toHaveLength(6 - servers[0]!.requests);
    const cancelled = events
      .of('breakwater:attempt:end')
      .filter((m) => m.endpoint === 's0' && m.outcome === 'cancelled');
    expect(cancelled.length).toBe(servers[0]!.requests);
  });

  it('does not hedge non-idempotent calls', async () => {
    servers = await startServers(2);
    for (const s of servers) s.fault = { kind: 'slow', delayMs: 150 };
    const client = createHttpClient({
      registry: staticRegistry(servers),
      services: { catalog: { hedge: { delayMs: 10 } } },
    });
    closers.push(() => client.close());
    const res = await request('http://catalog/p', {
      dispatcher: client.dispatcher,
      method: 'POST',
      body: 'x',
    });
    await res.body.dump();
    expect(total()).toBe(1);
  });
});
