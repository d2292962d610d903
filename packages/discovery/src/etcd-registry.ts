import type { Etcd3 } from 'etcd3';
import { createSnapshot, type Endpoint, type Snapshot } from './endpoint.js';
import { NoEndpointsError, RegistryClosedError } from './errors.js';
import { parseEtcdInstance } from './etcd-instance.js';
import {
  type EtcdCommonOptions,
  etcdClient,
  type ResolvedEtcdCommon,
  resolveEtcdCommon,
} from './etcd-options.js';
import { EtcdServiceWatch } from './etcd-service-watch.js';
import { type Logger, silentLogger } from './logger.js';
import type { Disposer, Registry, WatchListener } from './registry.js';
import { WatchHub } from './watch-hub.js';

export type EtcdRegistryOptions = EtcdCommonOptions;

/**
 * Discovery through etcd: instances are JSON values under `<prefix><service>/<id>` (written by
 * `registerEtcdService` with a lease, or by anything else). Push-based: one etcd watch per watched
 * service, shared by its listeners; errors keep the last good snapshot.
 */
export class EtcdRegistry implements Registry {
  readonly #o: ResolvedEtcdCommon;
  readonly #logger: Logger;
  readonly #hub: WatchHub;
  readonly #loops = new Set<EtcdServiceWatch>();
  readonly #client: Promise<{ client: Etcd3; owned: boolean }>;
  #closed = false;

  constructor(options: EtcdRegistryOptions = {}) {
    this.#o = resolveEtcdCommon(options);
    this.#logger = options.logger ?? silentLogger;
    this.#client = etcdClient(options);
    // Never an unhandled rejection; the error reaches watchers and resolve() through #etcd().
    this.#client.catch(() => {});
    this.#hub = new WatchHub(
      (service, sink) => {
        const loop = new EtcdServiceWatch(service, this.#etcd(), this.#o, sink, this.#logger);
        this.#loops.add(loop);
        void loop.done.finally(() => this.#loops.delete(loop));
        return () => loop.stop();
      },
      (error) => this.#logger.warn('discovery listener threw', { error: String(error) }),
    );
  }

  /** Number of etcd watches running (one per watched service). */
  get activeWatches(): number {
    return this.#loops.size;
  }

  /** The etcd3 client in use (created on first use when the registry owns it). */
  client(): Promise<Etcd3> {
    return this.#etcd();
  }

  #etcd(): Promise<Etcd3> {
    return this.#client.then((c) => c.client);
  }

  watch(service: string, listener: WatchListener): Disposer {
    if (this.#closed) throw new RegistryClosedError();
    checkService(service);
    return this.#hub.subscribe(service, listener);
  }

  /** The watched snapshot when the service is watched, else one range read. Bad values are skipped. */
  async resolve(service: string, signal?: AbortSignal): Promise<Snapshot> {
    if (this.#closed) throw new RegistryClosedError();
    checkService(service);
    signal?.throwIfAborted();
    let snapshot = this.#hub.current(service);
    if (snapshot === undefined) {
      const client = await this.#etcd();
      const keyPrefix = `${this.#o.prefix}${service}/`;
      const kvs = await client.getAll().prefix(keyPrefix).exec();
      if (this.#closed) throw new RegistryClosedError();
      signal?.throwIfAborted();
      const list: Endpoint[] = [];
      for (const kv of kvs.kvs) {
        const key = kv.key.toString('utf8');
        try {
          list.push(parseEtcdInstance(key, key.slice(keyPrefix.length), kv.value.toString('utf8')));
        } catch (error) {
          this.#logger.warn('etcd instance value rejected', { service, error: (error as Error).message });
        }
      }
      snapshot = createSnapshot(list);
    }
    if (snapshot.length === 0) throw new NoEndpointsError(service);
    return snapshot;
  }

  /** Cancels every watch and closes the etcd3 client if the registry created it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const loops = [...this.#loops];
    this.#hub.close();
    await Promise.all(loops.map((l) => l.done));
    const c = await this.#client.catch(() => undefined);
    if (c?.owned) c.client.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function checkService(service: string): void {
  if (typeof service !== 'string' || service === '' || service.includes('/')) {
    throw new TypeError('service must be a non-empty string without "/"');
  }
}
