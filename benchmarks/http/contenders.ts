// The HTTP contenders: each sends GET / to the upstream and reads the whole body.

import { defaultIdGenerator } from '@breakwater/tracing';
import {
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleAll,
  retry,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import CircuitBreaker from 'opossum';
import { Pool } from 'undici';
import type { RequestFn } from './load.js';

export interface Contender {
  name: string;
  fn: RequestFn;
  close(): Promise<void>;
}

/** Raw undici: a Pool to the one upstream. The baseline. */
export function rawUndici(origin: string): Contender {
  const pool = new Pool(origin);
  return {
    name: 'raw undici Pool',
    fn: async () => {
      const res = await pool.request({ path: '/', method: 'GET' });
      await res.body.text();
    },
    close: () => pool.close(),
  };
}

/**
 * Raw undici sending a W3C traceparent with a new span id per request, as any traced client does:
 * separates the cost of propagating trace context (header bytes for undici and the server) from the
 * cost of the rest of the pipeline.
 */
export function rawUndiciTraced(origin: string): Contender {
  const pool = new Pool(origin);
  const prefix = `00-${defaultIdGenerator.traceId()}-`;
  return {
    name: 'raw undici Pool + traceparent header',
    fn: async () => {
      const headers = { traceparent: `${prefix}${defaultIdGenerator.spanId()}-01` };
      const res = await pool.request({ path: '/', method: 'GET', headers });
      await res.body.text();
    },
    close: () => pool.close(),
  };
}

/** undici + opossum: a breaker with its default 10 s timeout around each request. */
export function opossumUndici(origin: string): Contender {
  const pool = new Pool(origin);
  const call = async (): Promise<void> => {
    const res = await pool.request({ path: '/', method: 'GET' });
    await res.body.text();
  };
  const breaker = new CircuitBreaker(call, {
    timeout: 10_000,
    errorThresholdPercentage: 50,
    resetTimeout: 30_000,
  });
  return {
    name: 'undici + opossum',
    fn: () => breaker.fire(),
    close: async () => {
      breaker.shutdown();
      await pool.close();
    },
  };
}

/** undici + cockatiel: retry (3 attempts, exponential backoff) + breaker + cooperative timeout. */
export function cockatielUndici(origin: string): Contender {
  const pool = new Pool(origin);
  const policy = wrap(
    retry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() }),
    circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
    timeout(10_000, TimeoutStrategy.Cooperative),
  );
  return {
    name: 'undici + cockatiel (retry+breaker+timeout)',
    fn: () =>
      policy.execute(async ({ signal }) => {
        const res = await pool.request({ path: '/', method: 'GET', signal });
        await res.body.text();
      }),
    close: () => pool.close(),
  };
}
