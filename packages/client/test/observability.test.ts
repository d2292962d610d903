import { isBrokenCircuitError, isBulkheadFullError } from '@breakwater/breaker';
import { createHttpClient, isNoEndpointsError } from '@breakwater/client';
import { StaticRegistry } from '@breakwater/discovery';
import { Registry } from 'prom-client';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, staticRegistry } from './helpers/client.js';
import { startServers, type TestServer } from './helpers/servers.js';

let servers: TestServer[] = [];
const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});

describe('prom-client metrics', () => {
  it('counts calls, attempts, retries and exposes gauges', async () => {
    servers = await startServers(2);
    servers[0]!.fault = { kind: 'status', status: 503 };
    const promRegistry = new Registry();
    const client = createHttpClient({
      registry: staticRegistry(servers),
      metrics: { registry: promRegistry },
      services: { catalog: { balancer: { policy: 'round-robin' }, bulkhead: { maxConcurrent: 4 } } },
    });
    closers.push(() => client.close());
    for (let i = 0; i < 6; i++)
      await (await request('http://catalog/m', { dispatcher: client.dispatcher })).body.dump();
    const text = await promRegistry.metrics();
    expect(text).toMatch(/breakwater_client_requests_total\{service="catalog",outcome="success"\} 6/);
    expect(text).toMatch(
      /breakwater_client_attempts_total\{service="catalog",endpoint="s0",outcome="gateway-error"\} [1-9]/,
    );
    expect(text).toMatch(
      /breakwater_client_attempts_total\{service="catalog",endpoint="s1",outcome="success"\} 6/,
    );
    expect(text).toMatch(/breakwater_client_retries_total\{service="catalog"\} [1-9]/);
    expect(text).toMatch(
      /breakwater_client_request_duration_seconds_count\{service="catalog",outcome="success"\} 6/,
    );
    expect(text).toMatch(
      /breakwater_client_attempt_duration_seconds_bucket\{le="0.1",service="catalog",endpoint="s1"\} 6/,
    );
    expect(text).toMatch(/breakwater_client_endpoints\{service="catalog",state="total"\} 2/);
    expect(text).toMatch(/breakwater_client_bulkhead_in_flight\{service="catalog"\} 0/);
    // s0 failed 5 times in a row: its breaker (default: 5 consecutive failures) is open.
    expect(text).toMatch(/breakwater_client_breaker_state\{service="catalog",endpoint="s0"\} 2/);
    expect(text).toMatch(/breakwater_client_breaker_state\{service="catalog",endpoint="s1"\} 0/);
  });
});

describe('diagnostics channels', () => {
  it('publishes request and attempt start/end and endpoint snapshots', async () => {
    servers = await startServers(1);
    const client = createHttpClient({ registry: staticRegistry(servers), services: { catalog: {} } });
    closers.push(() => client.close());
    const seen: string[] = [];
    const names = [
      'breakwater:request:start',
      'breakwater:attempt:start',
      'breakwater:attempt:end',
      'breakwater:request:end',
      'breakwater:endpoints',
    ];
    const dc = await import('node:diagnostics_channel');
    const subs = names.map((n) => {
      const fn = (m: unknown): void => {
        seen.push(`${n} ${JSON.stringify(m, (k, v) => (k === 'durationMs' ? undefined : v))}`);
      };
      dc.subscribe(n, fn);
      return () => dc.unsubscribe(n, fn);
    });
    try {
      await (await request('http://catalog/c', { dispatcher: client.dispatcher })).body.dump();
    } finally {
      for (const u of subs) u();
    }
    expect(seen).toEqual([
      'breakwater:request:start {"service":"catalog","method":"GET","path":"/c"}',
      'breakwater:endpoints {"service":"catalog","endpoints":["s0"]}',
      'breakwater:attempt:start {"service":"catalog","endpoint":"s0","attempt":1,"hedge":false}',
      'breakwater:attempt:end {"service":"catalog","endpoint":"s0","attempt":1,"outcome":"success","statusCode":200}',
      'breakwater:request:end {"service":"catalog","method":"GET","path":"/c","outcome":"success","statusCode":200,"attempts":1}',
    ]);
  });
});

describe('service-level policies and errors', () => {
  it('an open service breaker fails calls fast with BREAKWATER_CIRCUIT_OPEN', async () => {
    servers = await startServers(1);
    servers[0]!.fault = { kind: 'reset' };
    const { ConsecutiveFailures } = await import('@breakwater/breaker');
    const client = createHttpClient({
      registry: staticRegistry(servers),
      services: {
        catalog: {
          retry: false,
          endpointBreaker: false,
          serviceBreaker: { strategy: () => new ConsecutiveFailures({ threshold: 2 }) },
        },
      },
    });
    closers.push(() => client.close());
    for (let i = 0; i < 2; i++)
      await request('http://catalog/x', { dispatcher: client.dispatcher }).catch(() => undefined);
    const before = servers[0]!.requests;
    const err = await request('http://catalog/x', { dispatcher: client.dispatcher }).catch((e) => e);
    expect(isBrokenCircuitError(err)).toBe(true);
    expect(err.code).toBe('BREAKWATER_CIRCUIT_OPEN');
    expect(servers[0]!.requests).toBe(before);
  });

  it('the bulkhead refuses calls beyond its limit', async () => {
    servers = await startServers(1);
    servers[0]!.fault = { kind: 'slow', delayMs: 200 };
    const client = createHttpClient({
      registry: staticRegistry(servers),
      services: { catalog: { bulkhead: { maxConcurrent: 2 } } },
    });
    closers.push(() => client.close());
    const calls = [0, 1, 2].map(() =>
      request('http://catalog/x', { dispatcher: client.dispatcher }).catch((e) => e),
    );
    const results = await Promise.all(calls);
    const refused = results.filter((r) => isBulkheadFullError(r));
    expect(refused).toHaveLength(1);
    for (const r of results) if (!isBulkheadFullError(r)) await r.body.dump();
  });

  it('a service with no endpoints fails with BREAKWATER_NO_ENDPOINTS', async () => {
    const client = createHttpClient({
      registry: new StaticRegistry({ empty: [] }),
      services: { empty: {} },
    });
    closers.push(() => client.close());
    const { result: err } = await collect('breakwater:request:end', () =>
      request('http://empty/x', { dispatcher: client.dispatcher }).catch((e) => e),
    );
    expect(isNoEndpointsError(err)).toBe(true);
    expect(err.service).toBe('empty');
    expect(err.message).toMatch(/service empty/);
  });
});
