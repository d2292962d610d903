import type { Etcd3, IOptions } from 'etcd3';
import { type BackoffOptions, validateBackoff } from './backoff.js';
import { type Random, systemRandom } from './clock.js';
import type { Logger } from './logger.js';
import { realSleep, type Sleep } from './sleep.js';

/** How to reach etcd: a client you own, or the options of one the registry/registration creates and closes. */
export interface EtcdConnectionOptions {
  /** A shared etcd3 client; never closed by Breakwater. */
  client?: Etcd3;
  /** Used only without `client`. Default `http://127.0.0.1:2379`. */
  hosts?: string | readonly string[];
  /** Other etcd3 options (credentials, auth, dialTimeout, …) for an owned client. */
  connection?: Omit<IOptions, 'hosts'>;
  /**
   * Deadline of each unary call (range, put, lease grant/revoke) of an owned client, so a read
   * cannot hang forever in a partition that drops packets; streams (watch, keep-alive) have none.
   * Default 10,000 ms. Ignored when `connection.defaultCallOptions` is given.
   */
  requestTimeoutMs?: number;
}

export interface EtcdCommonOptions extends EtcdConnectionOptions {
  /** Keys live under `<prefix><service>/<id>`. Default `/services/`. */
  prefix?: string;
  /** Backoff between failed reads / re-grants (exponential, full jitter). Default { initialMs: 100, maxMs: 10000, multiplier: 2 }. */
  backoff?: BackoffOptions;
  random?: Random;
  sleep?: Sleep;
  logger?: Logger;
}

export interface ResolvedEtcdCommon {
  prefix: string;
  backoff: Required<BackoffOptions>;
  random: Random;
  sleep: Sleep;
}

export function resolveEtcdCommon(o: EtcdCommonOptions): ResolvedEtcdCommon {
  const prefix = o.prefix ?? '/services/';
  if (typeof prefix !== 'string' || prefix === '') throw new TypeError('prefix must be a non-empty string');
  if (o.client !== undefined && o.hosts !== undefined) {
    throw new TypeError('hosts must not be given together with client');
  }
  const timeout = o.requestTimeoutMs;
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) {
    throw new RangeError(`requestTimeoutMs must be a positive number, got ${timeout}`);
  }
  if (o.hosts !== undefined) {
    const list = typeof o.hosts === 'string' ? [o.hosts] : o.hosts;
    if (!Array.isArray(list) || list.length === 0 || list.some((h) => typeof h !== 'string' || h === '')) {
      throw new TypeError('hosts must be a non-empty string or array of non-empty strings');
    }
  }
  return {
    prefix,
    backoff: validateBackoff({ initialMs: 100, maxMs: 10_000, multiplier: 2, ...o.backoff }),
    random: o.random ?? systemRandom,
    sleep: o.sleep ?? realSleep,
  };
}

/**
 * etcd3's watch reconnect backoff, structurally (cockatiel's IBackoff): exponential, capped low so
 * a watch resumes quickly after an etcd restart and no reconnect timer outlives close() for long.
 */
class CappedBackoff {
  readonly duration: number;
  readonly #max: number;
  constructor(duration: number, max: number) {
    this.duration = duration;
    this.#max = max;
  }
  next(): CappedBackoff {
    return new CappedBackoff(Math.min(this.#max, this.duration * 2), this.#max);
  }
}

/** Returns the client to use and whether the caller owns (and must close) it. */
export async function etcdClient(o: EtcdConnectionOptions): Promise<{ client: Etcd3; owned: boolean }> {
  if (o.client !== undefined) return { client: o.client, owned: false };
  // Loaded lazily: etcd3 pulls in grpc-js and protobufs, which users of other registries never need.
  const { Etcd3 } = await import('etcd3');
  const hosts = o.hosts === undefined ? 'http://127.0.0.1:2379' : (o.hosts as string | string[]);
  const timeout = o.requestTimeoutMs ?? 10_000;
  const client = new Etcd3({
    // grpc deadlines are absolute wall-clock dates.
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: new Date(Date.now() + timeout) }),
    ...o.connection,
    hosts,
    faultHandling: { watchBackoff: new CappedBackoff(100, 1_000), ...o.connection?.faultHandling },
  });
  return { client, owned: true };
}
