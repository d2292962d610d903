import { type Snapshot, sameSnapshot } from './endpoint.js';
import type { Disposer, WatchEvent, WatchListener } from './registry.js';

/** Where an upstream source reports. */
export interface WatchSink {
  update(snapshot: Snapshot): void;
  error(error: Error): void;
}

/** Starts one upstream watch for a service; returns its stopper. */
export type StartWatch = (service: string, sink: WatchSink) => () => void;

interface Entry {
  readonly service: string;
  readonly listeners: Set<WatchListener>;
  snapshot: Snapshot | undefined;
  lastError: Error | undefined;
  stop: (() => void) | undefined;
}

/**
 * Fans one upstream watch per service out to any number of listeners (refcounted), deduplicates
 * snapshots and keeps the last good one across errors. Registries compose it; it owns no I/O.
 */
export class WatchHub {
  readonly #entries = new Map<string, Entry>();
  readonly #start: StartWatch;
  readonly #onListenerError: (error: unknown) => void;
  #closed = false;

  constructor(start: StartWatch, onListenerError: (error: unknown) => void) {
    this.#start = start;
    this.#onListenerError = onListenerError;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The current snapshot of an active watch, if any. */
  current(service: string): Snapshot | undefined {
    return this.#entries.get(service)?.snapshot;
  }

  subscribe(service: string, listener: WatchListener): Disposer {
    if (this.#closed) throw new Error('registry is closed');
    let entry = this.#entries.get(service);
    const fresh = entry === undefined;
    if (entry === undefined) {
      entry = { service, listeners: new Set(), snapshot: undefined, lastError: undefined, stop: undefined };
      this.#entries.set(service, entry);
    }
    // A listener added twice would be removed by the first disposer; wrap to make each subscription distinct.
    const own: WatchListener = (event) => listener(event);
    entry.listeners.add(own);
    const e = entry;
    if (fresh) {
      e.stop = this.#start(service, {
        update: (snapshot) => this.#update(e, snapshot),
        error: (error) => this.#error(e, error),
      });
    } else if (e.snapshot !== undefined || e.lastError !== undefined) {
      // New subscribers get the state in force at once (on a microtask, after watch() has returned).
      queueMicrotask(() => {
        if (!e.listeners.has(own)) return;
        if (e.snapshot !== undefined) {
          this.#call(own, { type: 'endpoints', service, endpoints: e.snapshot });
        } else if (e.lastError !== undefined) {
          this.#call(own, { type: 'error', service, error: e.lastError, endpoints: undefined });
        }
      });
    }
    let disposed = false;
    return () => {
      if (disposed) return;
      disposed = true;
      e.listeners.delete(own);
      if (e.listeners.size === 0 && this.#entries.get(service) === e) {
        this.#entries.delete(service);
        e.stop?.();
      }
    };
  }

  /** Stops every upstream watch; listeners get nothing more. */
  close(): void {
    this.#closed = true;
    for (const e of this.#entries.values()) {
      e.listeners.clear();
      e.stop?.();
    }
    this.#entries.clear();
  }

  #update(e: Entry, snapshot: Snapshot): void {
    if (this.#entries.get(e.service) !== e) return;
    e.lastError = undefined;
    if (e.snapshot !== undefined && sameSnapshot(e.snapshot, snapshot)) return;
    e.snapshot = snapshot;
    this.#emit(e, { type: 'endpoints', service: e.service, endpoints: snapshot });
  }

  #error(e: Entry, error: Error): void {
    if (this.#entries.get(e.service) !== e) return;
    e.lastError = error;
    this.#emit(e, { type: 'error', service: e.service, error, endpoints: e.snapshot });
  }

  #emit(e: Entry, event: WatchEvent): void {
    for (const l of [...e.listeners]) this.#call(l, event);
  }

  #call(listener: WatchListener, event: WatchEvent): void {
    try {
      listener(event);
    } catch (error) {
      this.#onListenerError(error);
    }
  }
}
