// The service bulkhead can be any ConcurrencyGuard: an AdaptiveLimiter sheds at its limit instead
// of queueing, and learns from each call (a failed call is a drop, a success an RTT sample).
import { AdaptiveLimiter, FixedLimit, isLimitExceededError } from '@breakwater/breaker';
import { createHttpClient } from '@breakwater/client';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { staticRegistry } from './helpers/client.js';
import { startServers, type TestServer, until } from './helpers/servers.js';

let servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers) await s.stop();
  servers = [];
});

describe('an AdaptiveLimiter as the service bulkhead', () => {
  it('sheds calls over its limit at once with LimitExceededError and feeds outcomes back', async () => {
    servers = await startServers(1);
    const registry = staticRegistry(servers);
    let limiter: AdaptiveLimiter | undefined;
    const client = createHttpClient({
      registry,
      services: {
        catalog: {
          bulkhead: () => {
            limiter = new AdaptiveLimiter({ limit: new FixedLimit(2) });
            return limiter;
          },
          retry: false,
          serviceBreaker: false,
          endpointBreaker: false,
        },
      },
    });
    try {
      servers[0]!.fault = { kind: 'hang' };
      const hung = [
        request('http://catalog/a', { dispatcher: client.dispatcher }),
        request('http://catalog/b', { dispatcher: client.dispatcher }),
      ];
      await until(() => servers[0]!.requests === 2, 5_000, 'two calls in flight');
      expect(limiter!.inFlight).toBe(2);
      const shed = await request('http://catalog/c', { dispatcher: client.dispatcher }).catch(
        (e: unknown) => e,
      );
      expect(isLimitExceededError(shed)).toBe(true);
      expect(servers[0]!.requests).toBe(2); // the shed call never left the client
      expect(limiter!.stats.rejected).toBe(1);

      // Free the slots: the hung calls fail (server gone), which the limiter counts as drops.
      await servers[0]!.stop();
      const settled = await Promise.allSettled(hung);
      expect(settled.every((s) => s.status === 'rejected')).toBe(true);
      expect(limiter!.inFlight).toBe(0);
      expect(limiter!.stats.dropped).toBe(2);

      servers = await startServers(1);
      const ok = createHttpClient({
        registry: staticRegistry(servers),
        services: {
          catalog: { bulkhead: () => (limiter = new AdaptiveLimiter({ limit: new FixedLimit(2) })) },
        },
      });
      const res = await request('http://catalog/ok', { dispatcher: ok.dispatcher });
      await res.body.text();
      expect(res.statusCode).toBe(200);
      await until(() => limiter!.stats.successes === 1, 5_000, 'the success to reach the limiter');
      expect(limiter!.inFlight).toBe(0);
      await ok.close();
    } finally {
      await client.close();
      await registry.close();
    }
  });

  it('rejects a bulkhead option that is neither options nor a factory', () => {
    const registry = staticRegistry([]);
    expect(() =>
      createHttpClient({ registry, services: { catalog: { bulkhead: 5 as unknown as false } } }),
    ).toThrow(/catalog.bulkhead/);
  });
});
