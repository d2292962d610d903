import { LRUCache } from 'lru-cache';
import { ConsulClient } from './consul-client.js';
import { parseHealthEntries } from './consul-health.js';
import {
  type ConsulRegistryOptions,
  type ResolvedConsulRegistryOptions,
  resolveConsulRegistryOptions,
} from './consul-registry-options.js';
import { ConsulServiceWatch, healthQuery } from './consul-service-watch.js';
import type { Snapshot } from './endpoint.js';
import { NoEndpointsError, RegistryClosedError } from './errors.js';
import { type Logger, silentLogger } from './logger.js';
import type { Disposer, Registry, WatchListener } from './registry.js';
import { WatchHub } from './watch-hub.js';

/**
 * Discovery through Consul's health API. One blocking-query loop per watched service, shared by all
 * its listeners; errors keep the last good snapshot in force (stale-on-error).
 */
export class ConsulRegistry implements Registry {
  readonly client: ConsulClient;
  #ownsClient: boolean;
  readonly #o: ResolvedConsulRegistryOptions;
  readonly #logger: Logger;
  readonly #hub: WatchHub;
  readonly #loops = new Set<ConsulServiceWatch>();
  readonly #cache: LRUCache<string, { snapshot: Snapshot; at: number }> | undefined;
  readonly #resolving = new Set<AbortController>();
  #closed = false;

  constructor(options: ConsulRegistryOptions = {}) {
    this.#o = resolveConsulRegistryOptions(options);
    this.#logger = options.logger ?? silentLogger;
    this.#ownsClient = options.client === undefined;
    this.client = options.client ?? new ConsulClient({ logger: this.#logger, ...options.connection });
    const { max } = this.#o.resolveCache;
    // Age is checked against the injected clock here rather than with lru-cache's ttl, which arms a
    // timer (ttlResolution) and treats a start time of 0 as "no ttl".
    this.#cache = this.#o.resolveCache.ttlMs > 0 ? new LRUCache({ max }) : undefined;
    this.#hub = new WatchHub(
      (service, sink) => {
        const loop = new ConsulServiceWatch(service, this.client, this.#o, sink, this.#logger);
        this.#loops.add(loop);
        void loop.done.finally(() => this.#loops.delete(loop));
        return () => loop.stop();
      },
      (error) => this.#logger.warn('discovery listener threw', { error: String(error) }),
    );
  }

  /** A registry whose client reads CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN, CONSUL_HTTP_SSL, CONSUL_CACERT, … */
  static fromEnv(
    options: Omit<ConsulRegistryOptions, 'client'> = {},
    env: Readonly<Record<string, string | undefined>> = process.env,
  ): ConsulRegistry {
    const client = ConsulClient.fromEnv({ logger: options.logger, ...options.connection }, env);
    const registry = new ConsulRegistry({ ...options, client });
    registry.#ownsClient = true;
    return registry;
  }

  /** Number of upstream watch loops running (one per watched service). */
  get activeWatches(): number {
    return this.#loops.size;
  }

  watch(service: string, listener: WatchListener): Disposer {
    if (this.#closed) throw new RegistryClosedError();
    if (typeof service !== 'string' || service === '')
      throw new TypeError('service must be a non-empty string');
    return this.#hub.subscribe(service, listener);
  }

  async resolve(service: string, signal?: AbortSignal): Promise<Snapshot> {
    if (this.#closed) throw new RegistryClosedError();
    signal?.throwIfAborted();
    let snapshot = this.#hub.current(service) ?? this.#cached(service);
    if (snapshot === undefined) {
      const controller = new AbortController();
      const onAbort = () => controller.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#resolving.add(controller);
      try {
        const res = await this.client.request({
          method: 'GET',
          path: `/v1/health/service/${encodeURIComponent(service)}`,
          query: healthQuery(this.#o),
          signal: controller.signal,
        });
        snapshot = parseHealthEntries(res.body, this.#o);
        this.#cache?.set(service, { snapshot, at: this.#o.clock.now() });
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (this.#closed) throw new RegistryClosedError();
        throw error;
      } finally {
        signal?.removeEventListener('abort', onAbort);
        this.#resolving.delete(controller);
      }
    }
    if (snapshot.length === 0) throw new NoEndpointsError(service);
    return snapshot;
  }

  #cached(service: string): Snapshot | undefined {
    const hit = this.#cache?.get(service);
    if (hit === undefined) return undefined;
    if (this.#o.clock.now() - hit.at < this.#o.resolveCache.ttlMs) return hit.snapshot;
    this.#cache!.delete(service);
    return undefined;
  }

  /** Cancels every blocking query at once, waits for the loops to exit, and closes an owned client. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const loops = [...this.#loops];
    this.#hub.close();
    for (const c of this.#resolving) c.abort(new RegistryClosedError());
    this.#cache?.clear();
    await Promise.all(loops.map((l) => l.done));
    if (this.#ownsClient) await this.client.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
