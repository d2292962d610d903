import { createResolver, lookupSrv } from './dns-srv-lookup.js';
import {
  type DnsSrvRegistryOptions,
  type ResolvedDnsSrvOptions,
  resolveDnsSrvOptions,
} from './dns-srv-options.js';
import { DnsSrvWatch } from './dns-srv-watch.js';
import { createSnapshot, type Snapshot } from './endpoint.js';
import { NoEndpointsError, RegistryClosedError } from './errors.js';
import { type Logger, silentLogger } from './logger.js';
import type { Disposer, Registry, WatchListener } from './registry.js';
import { WatchHub } from './watch-hub.js';

/**
 * Discovery through DNS SRV records (Kubernetes headless services, Consul DNS, any zone). Polls,
 * since DNS has no push: each watched service is refreshed when its answer's TTL runs out, clamped
 * to [minTtlMs, maxTtlMs]. Failures keep the last good snapshot; an authoritative "no such name /
 * no records" answer publishes an empty one.
 */
export class DnsSrvRegistry implements Registry {
  readonly #o: ResolvedDnsSrvOptions;
  readonly #logger: Logger;
  readonly #hub: WatchHub;
  readonly #loops = new Set<DnsSrvWatch>();
  readonly #resolving = new Set<() => void>();
  #closed = false;

  constructor(options: DnsSrvRegistryOptions = {}) {
    this.#o = resolveDnsSrvOptions(options);
    this.#logger = options.logger ?? silentLogger;
    this.#hub = new WatchHub(
      (service, sink) => {
        const loop = new DnsSrvWatch(service, this.#o, sink, this.#logger);
        this.#loops.add(loop);
        void loop.done.finally(() => this.#loops.delete(loop));
        return () => loop.stop();
      },
      (error) => this.#logger.warn('discovery listener threw', { error: String(error) }),
    );
  }

  /** Number of refresh loops running (one per watched service). */
  get activeWatches(): number {
    return this.#loops.size;
  }

  /** The SRV name queried for a service. */
  srvName(service: string): string {
    return this.#o.srvName(service);
  }

  watch(service: string, listener: WatchListener): Disposer {
    if (this.#closed) throw new RegistryClosedError();
    if (typeof service !== 'string' || service === '')
      throw new TypeError('service must be a non-empty string');
    return this.#hub.subscribe(service, listener);
  }

  /** The watched snapshot when the service is watched, else one lookup (no caching). */
  async resolve(service: string, signal?: AbortSignal): Promise<Snapshot> {
    if (this.#closed) throw new RegistryClosedError();
    signal?.throwIfAborted();
    let snapshot = this.#hub.current(service);
    if (snapshot === undefined) {
      const resolver = createResolver(this.#o);
      const cancel = () => resolver.cancel();
      signal?.addEventListener('abort', cancel, { once: true });
      this.#resolving.add(cancel);
      try {
        snapshot = createSnapshot((await lookupSrv(resolver, this.#o.srvName(service), this.#o)).endpoints);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (this.#closed) throw new RegistryClosedError();
        throw error;
      } finally {
        signal?.removeEventListener('abort', cancel);
        this.#resolving.delete(cancel);
      }
      if (signal?.aborted) throw signal.reason;
    }
    if (snapshot.length === 0) throw new NoEndpointsError(service);
    return snapshot;
  }

  /** Stops every refresh loop, cancels queries in flight and clears the timers. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const loops = [...this.#loops];
    this.#hub.close();
    for (const cancel of this.#resolving) cancel();
    await Promise.all(loops.map((l) => l.done));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
