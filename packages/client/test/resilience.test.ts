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
import { collect, staticRegistry } from './helpers/client.js';
import { startServers, TestClock, type TestServer } from './helpers/servers.js';

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
  it('a hanging service fails at the deadline with a typed error, end to end', async () => {
    servers = await startServers(2);
    for (const s of servers) s.fault = { kind: 'hang' };
    const client = createHttpClient({
      registry: staticRegistry(servers),
      services: { catalog: { timeoutMs: 300 } },
    });
    closers.push(() => client.close());
    const started = performance.now();
    const err = await request('http://catalog/x', { dispatcher: client.dispatcher }).catch((e) => e);
    const elapsed = performance.now() - started;
    expect(isDeadlineExceededError(err)).toBe(true);
    expect(err.report.service).toBe('catalog');
    expect(err.report.timeoutMs).toBe(300);
    expect(err.report.attempts).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1_500);
    const sent = Number(servers.flatMap((s) => s.seen)[0]!.headers['x-breakwater-deadline-ms']);
    expect(sent).toBeGreaterThan(200);
    expect(sent).toBeLessThanOrEqual(300);
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
    const client = createHttpClient({
      registry: staticRegistry(servers),
      services: { catalog: { timeoutMs: 500 } },
    });
    closers.push(() => client.close());
    const started = performance.now();
    expect(await get(client.dispatcher)).toBe(503);
    expect(performance.now() - started).toBeLessThan(450);
    expect(total()).toBe(1);
  });

  it('honours Retry-After within the deadline', async () => {
    servers = await startServers(2);
    for (const s of servers) s.fault = { kind: 'status', status: 503, headers: { 'retry-after': '1' } };
    const client = createHttpClient({
      registry: staticRegistry(servers),
      services: { catalog: { timeoutMs: 5_000, retry: { maxAttempts: 2 } } },
    });
    closers.push(() => client.close());
    const started = performance.now();
    expect(await get(client.dispatcher)).toBe(503);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(total()).toBe(2);
  });
});

describe('hedging', () => {
  it('cuts the latency of a slow endpoint', async () => {
    servers = await startServers(3);
    servers[0]!.fault = { kind: 'slow', delayMs: 1_000 };
    const client = createHttpClient({
      registry: staticRegistry(servers),
      services: {
        catalog: {
          balancer: { policy: 'round-robin' },
          hedge: { delayMs: 30 },
          endpointBreaker: false,
        },
      },
    });
    closers.push(() => client.close());
    const { messages } = await collect('breakwater:attempt:end', async () => {
      for (let i = 0; i < 6; i++) {
        const started = performance.now();
        const res = await request('http://catalog/h', { dispatcher: client.dispatcher });
        expect(await res.body.text()).not.toBe('s0:slow');
        expect(performance.now() - started).toBeLessThan(700);
      }
    });
    expect(servers[0]!.requests).toBeGreaterThan(0);
    const cancelled = messages.filter((m) => m.endpoint === 's0' && m.outcome === 'cancelled');
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
