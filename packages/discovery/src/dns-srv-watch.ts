import type { promises as dns } from 'node:dns';
import { backoffDelay } from './backoff.js';
import { createResolver, lookupSrv } from './dns-srv-lookup.js';
import type { ResolvedDnsSrvOptions } from './dns-srv-options.js';
import { refreshDelay, type SrvSelection } from './dns-srv-select.js';
import { createSnapshot } from './endpoint.js';
import { RegistryUnavailableError } from './errors.js';
import type { Logger } from './logger.js';
import type { WatchSink } from './watch-hub.js';

/** One lookup of an SRV name; replaceable so the loop can be model-tested without a DNS server. */
export type SrvLookup = (name: string, signal: AbortSignal) => Promise<SrvSelection>;

/**
 * One refresh loop for one service: look up, publish, sleep for the TTL (clamped), repeat; after a
 * failure, report it (the hub keeps the last good snapshot) and back off. Started by the hub for the
 * first listener, stopped with the last; its own Resolver so stop() cancels the queries in flight.
 */
export class DnsSrvWatch {
  readonly #service: string;
  readonly #name: string;
  readonly #o: ResolvedDnsSrvOptions;
  readonly #sink: WatchSink;
  readonly #logger: Logger;
  readonly #resolver: dns.Resolver | undefined;
  readonly #lookup: SrvLookup;
  readonly #abort = new AbortController();
  #attempt = 0;
  /** Refreshes done (successful or not); exposed for tests and benchmarks. */
  lookups = 0;
  /** Settles when the loop has exited. */
  readonly done: Promise<void>;

  constructor(
    service: string,
    options: ResolvedDnsSrvOptions,
    sink: WatchSink,
    logger: Logger,
    lookup?: SrvLookup,
  ) {
    this.#service = service;
    this.#name = options.srvName(service);
    this.#o = options;
    this.#sink = sink;
    this.#logger = logger;
    if (lookup === undefined) {
      const resolver = createResolver(options);
      this.#resolver = resolver;
      this.#lookup = (name) => lookupSrv(resolver, name, options);
    } else {
      this.#resolver = undefined;
      this.#lookup = lookup;
    }
    this.done = this.#run();
  }

  stop(): void {
    this.#abort.abort();
    this.#resolver?.cancel();
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    const o = this.#o;
    // Start on a later turn: the hub registers the stopper before any event can be emitted.
    await Promise.resolve();
    while (!signal.aborted) {
      let delay: number;
      try {
        const selection = await this.#lookup(this.#name, signal);
        this.lookups++;
        if (signal.aborted) return;
        this.#attempt = 0;
        this.#sink.update(createSnapshot(selection.endpoints));
        delay = refreshDelay(selection.ttl, o.minTtlMs, o.maxTtlMs);
      } catch (error) {
        this.lookups++;
        if (signal.aborted) return;
        this.#attempt++;
        const err = error instanceof Error ? error : new RegistryUnavailableError(String(error));
        this.#logger.warn('dns srv refresh failed; keeping the last good snapshot', {
          service: this.#service,
          name: this.#name,
          attempt: this.#attempt,
          error: err.message,
        });
        this.#sink.error(err);
        delay = backoffDelay(o.backoff, this.#attempt, o.random);
      }
      try {
        await o.sleep(delay, signal);
      } catch {
        return;
      }
    }
  }
}
