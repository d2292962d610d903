// Breakwater with everything on, as a user would configure it for production: a static registry,
// P2C peak-EWMA with outlier detection, endpoint breakers, a service breaker, a bulkhead, retries
// under a budget, a total timeout, trace-context injection (no OpenTelemetry SDK) and deadline
// propagation. Requests go through undici's own API with the client's dispatcher.
import { ConsecutiveFailures } from '@breakwater/breaker';
import { createHttpClient } from '@breakwater/client';
import { StaticRegistry } from '@breakwater/discovery';
import { exponential } from '@breakwater/retry';
import type { Contender } from './contenders.js';

export async function breakwaterUndici(port: number): Promise<Contender> {
  const registry = new StaticRegistry({ echo: [`127.0.0.1:${port}`] });
  const client = createHttpClient({
    registry,
    services: {
      echo: {
        balancer: { policy: 'peak-ewma', outlierDetection: true },
        endpointBreaker: {
          strategy: () => new ConsecutiveFailures({ threshold: 5 }),
          openDurationMs: 10_000,
        },
        serviceBreaker: {},
        bulkhead: { maxConcurrent: 1_000 },
        retry: { maxAttempts: 3, backoff: exponential({ initial: 25, max: 1_000, jitter: 'full' }) },
        budget: { percentCanRetry: 0.2, minRetriesPerSecond: 10, ttl: 10_000 },
        timeoutMs: 10_000,
      },
    },
  });
  const dispatcher = client.dispatcher;
  return {
    name: 'breakwater (full pipeline)',
    fn: async () => {
      const res = await dispatcher.request({ origin: 'http://echo', path: '/', method: 'GET' });
      await res.body.text();
    },
    close: async () => {
      await client.close();
      await registry.close();
    },
  };
}
