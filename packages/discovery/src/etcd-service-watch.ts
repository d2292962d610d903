import type { Etcd3, IKeyValue, IWatchResponse, Watcher } from 'etcd3';
import { backoffDelay } from './backoff.js';
import { createSnapshot, type Endpoint } from './endpoint.js';
import { RegistryUnavailableError } from './errors.js';
import { parseEtcdInstance } from './etcd-instance.js';
import type { ResolvedEtcdCommon } from './etcd-options.js';
import type { Logger } from './logger.js';
import type { WatchSink } from './watch-hub.js';

function asError(error: unknown, message: string): Error {
  return new RegistryUnavailableError(`${message}: ${(error as Error)?.message ?? String(error)}`, {
    cause: error,
  });
}

/**
 * One watch of `<prefix><service>/`: a range read, then a watch from the read's revision + 1, so no
 * change between the two is missed. etcd3 reconnects a broken watch stream by itself, resuming from
 * the last revision it saw (changes made while disconnected are replayed); if etcd cancels the watch
 * (e.g. that revision was compacted), the loop reads the range again and watches anew.
 */
export class EtcdServiceWatch {
  readonly #service: string;
  readonly #keyPrefix: string;
  readonly #client: Promise<Etcd3>;
  readonly #o: ResolvedEtcdCommon;
  readonly #sink: WatchSink;
  readonly #logger: Logger;
  readonly #abort = new AbortController();
  readonly #instances = new Map<string, Endpoint>();
  #attempt = 0;
  /** Times the range was read (1 + resyncs); exposed for tests. */
  reads = 0;
  readonly done: Promise<void>;

  constructor(
    service: string,
    client: Promise<Etcd3>,
    options: ResolvedEtcdCommon,
    sink: WatchSink,
    logger: Logger,
  ) {
    this.#service = service;
    this.#keyPrefix = `${options.prefix}${service}/`;
    this.#client = client;
    this.#o = options;
    this.#sink = sink;
    this.#logger = logger;
    this.done = this.#run();
  }

  stop(): void {
    this.#abort.abort();
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    await Promise.resolve();
    let client: Etcd3;
    try {
      client = await this.#client;
    } catch (error) {
      if (!signal.aborted) this.#sink.error(asError(error, 'cannot create the etcd client'));
      return;
    }
    while (!signal.aborted) {
      try {
        const res = await client.getAll().prefix(this.#keyPrefix).exec();
        if (signal.aborted) return;
        this.reads++;
        this.#instances.clear();
        const errors: Error[] = [];
        for (const kv of res.kvs) this.#put(kv, errors);
        this.#publish(errors);
        const start = (BigInt(res.header.revision) + 1n).toString();
        await this.#follow(client, start, signal);
        this.#attempt = 0;
      } catch (error) {
        if (signal.aborted) return;
        this.#attempt++;
        const err = asError(error, `etcd watch of ${this.#keyPrefix} failed`);
        this.#logger.warn('etcd watch failed; keeping the last good snapshot', {
          service: this.#service,
          attempt: this.#attempt,
          error: err.message,
        });
        this.#sink.error(err);
        try {
          await this.#o.sleep(backoffDelay(this.#o.backoff, this.#attempt, this.#o.random), signal);
        } catch {
          return;
        }
      }
    }
  }

  /** Follows changes until stopped (resolves) or etcd cancels the watch (rejects: re-read needed). */
  #follow(client: Etcd3, startRevision: string, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const watcher: Watcher = client.watch().prefix(this.#keyPrefix).startRevision(startRevision).watcher();
      // The last revision whose changes are applied to #instances.
      let applied = BigInt(startRevision) - 1n;
      let disconnected = false;
      const onData = (res: IWatchResponse) => {
        if (res.events.length === 0) {
          // A progress notification: sent only when the watch has caught up to this revision.
          const r = BigInt(res.header.revision);
          if (r > applied) applied = r;
          return;
        }
        const errors: Error[] = [];
        for (const ev of res.events) {
          if (ev.type === 'Put') this.#put(ev.kv, errors);
          else this.#instances.delete(ev.kv.key.toString('utf8'));
          const r = BigInt(ev.kv.mod_revision);
          if (r > applied) applied = r;
        }
        this.#publish(errors);
      };
      const onDisconnected = (error: Error) => {
        disconnected = true;
        // etcd3 resumes from the revision in the watch's creation answer + 1, which can skip changes
        // not yet delivered when the stream broke; resume from what we have actually applied instead.
        watcher.request.start_revision = (applied + 1n).toString();
        this.#sink.error(asError(error, 'etcd watch disconnected; reconnecting'));
      };
      const onConnected = () => {
        // Changes made while disconnected are replayed after this; the snapshot held is still
        // consistent (as of the last revision applied), so re-publishing it only clears the error state.
        if (disconnected) this.#publish([]);
        disconnected = false;
      };
      const onError = (error: Error) => finish(error);
      const finish = (error?: unknown) => {
        signal.removeEventListener('abort', onAbort);
        watcher.off('data', onData);
        watcher.off('disconnected', onDisconnected);
        watcher.off('connected', onConnected);
        watcher.off('error', onError);
        // An error listener stays so a late cancellation error is not an unhandled 'error' event.
        watcher.on('error', () => {});
        // A watch etcd has cancelled (the 'error' path) is already gone; cancel only our own.
        if (error === undefined) {
          watcher.cancel().catch(() => {});
          resolve();
        } else reject(error);
      };
      const onAbort = () => finish();
      signal.addEventListener('abort', onAbort, { once: true });
      watcher.on('data', onData);
      watcher.on('disconnected', onDisconnected);
      watcher.on('connected', onConnected);
      watcher.on('error', onError);
    });
  }

  #put(kv: IKeyValue, errors: Error[]): void {
    const key = kv.key.toString('utf8');
    const id = key.slice(this.#keyPrefix.length);
    try {
      this.#instances.set(key, parseEtcdInstance(key, id, kv.value.toString('utf8')));
    } catch (error) {
      // A bad value is skipped (and an instance it replaces is dropped), never thrown.
      this.#instances.delete(key);
      errors.push(error as Error);
    }
  }

  #publish(errors: readonly Error[]): void {
    this.#sink.update(createSnapshot(this.#instances.values()));
    for (const e of errors) {
      this.#logger.warn('etcd instance value rejected', { service: this.#service, error: e.message });
      this.#sink.error(e);
    }
  }
}
