import { backoffDelay } from './backoff.js';
import type { ConsulClient } from './consul-client.js';
import { parseHealthEntries } from './consul-health.js';
import type { ResolvedConsulRegistryOptions } from './consul-registry-options.js';
import { formatDuration } from './duration.js';
import { RegistryUnavailableError } from './errors.js';
import type { Logger } from './logger.js';
import type { WatchSink } from './watch-hub.js';

/** Query parameters of a health read, without index/wait. */
export function healthQuery(o: ResolvedConsulRegistryOptions): URLSearchParams {
  const q = new URLSearchParams();
  if (!o.includeWarning) q.set('passing', 'true');
  for (const tag of o.tags) q.append('tag', tag);
  if (o.dc !== undefined) q.set('dc', o.dc);
  if (o.stale) q.set('stale', '');
  return q;
}

/**
 * Next index per Consul's blocking-query rules: reset to 0 when the index goes backwards (a fresh,
 * non-blocking read follows), and never block on an index below 1.
 */
export function nextIndex(previous: number, returned: number | undefined): { index: number; reset: boolean } {
  if (returned === undefined) return { index: Math.max(1, previous), reset: false };
  if (returned < previous) return { index: 0, reset: true };
  return { index: Math.max(1, returned), reset: false };
}

/** One long-polling loop for one service; started by the hub for its first listener, stopped with the last. */
export class ConsulServiceWatch {
  readonly #service: string;
  readonly #client: ConsulClient;
  readonly #o: ResolvedConsulRegistryOptions;
  readonly #sink: WatchSink;
  readonly #logger: Logger;
  readonly #abort = new AbortController();
  readonly #path: string;
  #index = 0;
  #hasSnapshot = false;
  #attempt = 0;
  #lastStart = Number.NEGATIVE_INFINITY;
  /** Settles when the loop has exited; close() awaits it. */
  readonly done: Promise<void>;

  constructor(
    service: string,
    client: ConsulClient,
    options: ResolvedConsulRegistryOptions,
    sink: WatchSink,
    logger: Logger,
  ) {
    this.#service = service;
    this.#client = client;
    this.#o = options;
    this.#sink = sink;
    this.#logger = logger;
    this.#path = `/v1/health/service/${encodeURIComponent(service)}`;
    this.done = this.#run();
  }

  stop(): void {
    this.#abort.abort();
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    const o = this.#o;
    while (!signal.aborted) {
      try {
        // Rate limit: successive requests start at least minIntervalMs apart, whatever Consul answers.
        const wait = this.#lastStart + o.minIntervalMs - o.clock.now();
        if (wait > 0) await o.sleep(wait, signal);
        this.#lastStart = o.clock.now();
        await this.#poll(signal);
        this.#attempt = 0;
      } catch (error) {
        if (signal.aborted) return;
        this.#attempt++;
        const err = error instanceof Error ? error : new RegistryUnavailableError(String(error));
        this.#logger.warn('consul watch failed; keeping the last good snapshot', {
          service: this.#service,
          attempt: this.#attempt,
          error: err.message,
        });
        this.#sink.error(err);
        try {
          await o.sleep(backoffDelay(o.backoff, this.#attempt, o.random), signal);
        } catch {
          return;
        }
      }
    }
  }

  async #poll(signal: AbortSignal): Promise<void> {
    const o = this.#o;
    const query = healthQuery(o);
    let timeoutMs = o.timeoutMarginMs + 10_000;
    if (this.#index > 0) {
      const waitMs = Math.max(1, Math.round(o.waitMs * (1 - o.waitJitter * o.random())));
      query.set('index', String(this.#index));
      query.set('wait', formatDuration(waitMs));
      // Consul may add up to wait/16 of its own jitter before answering.
      timeoutMs = waitMs + waitMs / 16 + o.timeoutMarginMs;
    }
    const res = await this.#client.request({ method: 'GET', path: this.#path, query, signal, timeoutMs });
    if (signal.aborted) return;
    const previous = this.#index;
    const next = nextIndex(previous, res.index);
    if (res.index === undefined) {
      this.#logger.warn('consul answered without X-Consul-Index', { service: this.#service });
    }
    if (next.reset) {
      this.#logger.warn('consul index went backwards; resetting', { service: this.#service });
    }
    this.#index = next.index;
    // Same index: the wait timed out or a write did not touch this service; nothing to parse.
    if (this.#hasSnapshot && !next.reset && res.index !== undefined && res.index === previous) return;
    const snapshot = parseHealthEntries(res.body, o);
    this.#hasSnapshot = true;
    this.#sink.update(snapshot);
  }
}
