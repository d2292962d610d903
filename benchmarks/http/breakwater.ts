// Breakwater with everything on, as a user would configure it for production: a static registry,
// P2C peak-EWMA with outlier detection, endpoint breakers, a service breaker, a bulkhead, retries
// under a budget, a total timeout, trace-context injection (no OpenTelemetry SDK) and deadline
// propagation. Requests go through undici's own API with the client's dispatcher.
import { createHttpClient } from '@breakwater/client';
import { StaticRegistry } from '@breakwater/discovery';
import { fullPipelinePolicy } from '../lib/full-policy.js';
import type { Contender } from './contenders.js';

export async function breakwaterUndici(port: number): Promise<Contender> {
  const registry = new StaticRegistry({ echo: [`127.0.0.1:${port}`] });
  const client = createHttpClient({
    registry,
    services: {
      echo: fullPipelinePolicy(),
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
