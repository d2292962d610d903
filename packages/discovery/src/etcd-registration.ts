import type { Etcd3, Lease } from 'etcd3';
import { backoffDelay } from './backoff.js';
import { createEndpoint } from './endpoint.js';
import { RegistryClosedError } from './errors.js';
import { type EtcdInstanceValue, etcdInstanceKey, formatEtcdInstance } from './etcd-instance.js';
import {
  type EtcdCommonOptions,
  etcdClient,
  type ResolvedEtcdCommon,
  resolveEtcdCommon,
} from './etcd-options.js';
import { type Logger, silentLogger } from './logger.js';

export interface EtcdRegistrationOptions extends EtcdCommonOptions {
  service: string;
  /** Unique per instance, e.g. `${hostname}-${process.pid}`. */
  id: string;
  host: string;
  port: number;
  weight?: number;
  zone?: string;
  tags?: readonly string[];
  meta?: Readonly<Record<string, string>>;
  /** Lease TTL in whole seconds: the key disappears this long after the process stops keeping it alive. Default 10. */
  ttlSeconds?: number;
  /** Called when the lease is lost or a re-registration attempt fails (the handle keeps trying). */
  onError?: (error: Error) => void;
}

/**
 * This instance, registered in etcd under a lease kept alive by etcd3 (every TTL/3). If the process
 * dies, the keep-alives stop and etcd deletes the key when the TTL runs out. If the lease is lost
 * (etcd unreachable for longer than the TTL, or restarted without it), the handle grants a new lease
 * and writes the key again, backing off between attempts. `close()` revokes the lease, deleting the
 * key at once.
 */
export class EtcdServiceRegistration implements AsyncDisposable {
  readonly key: string;
  readonly #value: string;
  readonly #ttl: number;
  readonly #client: Etcd3;
  readonly #owned: boolean;
  readonly #o: ResolvedEtcdCommon;
  readonly #logger: Logger;
  readonly #onError: (error: Error) => void;
  readonly #abort = new AbortController();
  #lease: Lease | undefined;
  #leaseId: string | undefined;
  #retrying: Promise<void> | undefined;
  #grants = 0;
  #closed = false;

  private constructor(
    key: string,
    value: string,
    ttl: number,
    client: Etcd3,
    owned: boolean,
    o: ResolvedEtcdCommon,
    options: EtcdRegistrationOptions,
  ) {
    this.key = key;
    this.#value = value;
    this.#ttl = ttl;
    this.#client = client;
    this.#owned = owned;
    this.#o = o;
    this.#logger = options.logger ?? silentLogger;
    this.#onError = options.onError ?? (() => {});
  }

  /** Writes the key under a fresh lease; rejects (closing an owned client) if etcd cannot be reached. */
  static async register(options: EtcdRegistrationOptions): Promise<EtcdServiceRegistration> {
    const o = resolveEtcdCommon(options);
    const { service, id } = options;
    if (typeof service !== 'string' || service === '' || service.includes('/')) {
      throw new TypeError('service must be a non-empty string without "/"');
    }
    if (typeof id !== 'string' || id === '') throw new TypeError('id must be a non-empty string');
    const ttl = options.ttlSeconds ?? 10;
    if (!(Number.isInteger(ttl) && ttl >= 1)) {
      throw new RangeError(`ttlSeconds must be a whole number of seconds >= 1, got ${ttl}`);
    }
    const value: EtcdInstanceValue = { host: options.host, port: options.port };
    if (options.weight !== undefined) value.weight = options.weight;
    if (options.zone !== undefined) value.zone = options.zone;
    if (options.tags !== undefined) value.tags = [...options.tags];
    if (options.meta !== undefined) value.meta = { ...options.meta };
    // Validates host, port, weight, tags and meta with the rules readers apply.
    createEndpoint({ id, ...value });
    const { client, owned } = await etcdClient(options);
    const key = etcdInstanceKey(o.prefix, service, id);
    const registration = new EtcdServiceRegistration(
      key,
      formatEtcdInstance(value),
      ttl,
      client,
      owned,
      o,
      options,
    );
    try {
      await registration.#establish();
    } catch (error) {
      if (owned) client.close();
      throw error;
    }
    return registration;
  }

  /** The etcd lease ID in use (decimal string), or undefined while re-registering. */
  get leaseId(): string | undefined {
    return this.#leaseId;
  }

  /** Leases granted so far: 1 + re-registrations after losses. */
  get grants(): number {
    return this.#grants;
  }

  async #establish(): Promise<void> {
    this.#leaseId = undefined;
    const lease = this.#client.lease(this.#ttl);
    this.#lease = lease;
    try {
      await lease.put(this.key).value(this.#value).exec();
    } catch (error) {
      lease.release();
      throw error;
    }
    if (lease.revoked()) throw new Error('the etcd lease was lost while registering');
    this.#leaseId = await lease.grant();
    this.#grants++;
    lease.on('lost', (error) => this.#lost(lease, error));
  }

  #lost(lease: Lease, error: Error): void {
    if (this.#closed || lease !== this.#lease) return;
    this.#logger.warn('etcd lease lost; registering again', { key: this.key, error: error.message });
    this.#onError(error);
    this.#retrying ??= this.#reestablish().finally(() => {
      this.#retrying = undefined;
    });
  }

  async #reestablish(): Promise<void> {
    const signal = this.#abort.signal;
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        await this.#establish();
        if (this.#closed) await this.#lease?.revoke().catch(() => {});
        return;
      } catch (error) {
        if (signal.aborted) return;
        this.#logger.warn('etcd re-registration failed', { key: this.key, error: (error as Error).message });
        this.#onError(error as Error);
        try {
          await this.#o.sleep(backoffDelay(this.#o.backoff, attempt, this.#o.random), signal);
        } catch {
          return;
        }
      }
    }
  }

  /** Revokes the lease (the key goes at once) and closes an owned client. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort(new RegistryClosedError('registration is closed'));
    // A re-registration in flight is not awaited (its call may be stuck in a partition until its
    // deadline); if it completes, it sees #closed and revokes what it granted.
    try {
      await this.#lease?.revoke();
    } catch (error) {
      // The key still expires with its TTL.
      this.#logger.warn('etcd lease revoke failed', { key: this.key, error: (error as Error).message });
    } finally {
      if (this.#owned) this.#client.close();
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Registers this instance in etcd with a lease and keep-alive; see EtcdServiceRegistration. */
export function registerEtcdService(options: EtcdRegistrationOptions): Promise<EtcdServiceRegistration> {
  return EtcdServiceRegistration.register(options);
}
