// An undici Pool per endpoint: keep-alive connections, a connection limit. A departed endpoint's
// pool is closed gracefully (calls in flight finish) and destroyed if that takes too long.
import type { Endpoint } from '@breakwater/discovery';
import { Pool } from 'undici';
import type { Transport } from '../core/transport.js';
import type { PoolPolicy } from '../options.js';

export function poolTransport(
  policy: Required<PoolPolicy>,
  extra: Pool.Options | undefined,
): Transport<Pool> {
  return {
    create(endpoint: Endpoint): Pool {
      const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
      return new Pool(`http://${host}:${endpoint.port}`, {
        ...extra,
        connections: policy.connections,
        pipelining: policy.pipelining,
        keepAliveTimeout: policy.keepAliveTimeoutMs,
      });
    },
    async drain(pool: Pool, timeoutMs: number): Promise<void> {
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
