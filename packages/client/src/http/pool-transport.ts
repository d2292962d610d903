// An undici Pool per endpoint (created on first use): keep-alive connections, a connection limit.
// A departed endpoint's pool is closed gracefully (calls in flight finish) and destroyed if that
// takes too long.
import type { Endpoint } from '@breakwater/discovery';
import type { Pool } from 'undici';
import type { Transport } from '../core/transport.js';
import type { PoolPolicy } from '../options.js';
import { LazyPool } from './lazy-pool.js';

export function poolTransport(
  policy: Required<PoolPolicy>,
  extra: Pool.Options | undefined,
): Transport<LazyPool> {
  return {
    create(endpoint: Endpoint): LazyPool {
      const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
      return new LazyPool(`http://${host}:${endpoint.port}`, {
        ...extra,
        connections: policy.connections,
        pipelining: policy.pipelining,
        keepAliveTimeout: policy.keepAliveTimeoutMs,
      });
    },
    async drain(lazy: LazyPool, timeoutMs: number): Promise<void> {
      const pool = lazy.markClosed();
      if (pool === undefined) return;
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        timer.unref();
      });
      await Promise.race([pool.close().catch(() => undefined), bound]);
      clearTimeout(timer);
      if (!pool.destroyed) await pool.destroy().catch(() => undefined);
    },
  };
}
