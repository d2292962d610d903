import { type FSWatcher, watch as fsWatch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve as resolvePath } from 'node:path';
import type { Snapshot } from './endpoint.js';
import { InvalidConfigError, NoEndpointsError, RegistryClosedError, UnknownServiceError } from './errors.js';
import { type Logger, silentLogger } from './logger.js';
import type { Disposer, Registry, WatchListener } from './registry.js';
import {
  normaliseServices,
  parseStaticJson,
  parseStaticString,
  type StaticServices,
} from './static-config.js';
import { WatchHub, type WatchSink } from './watch-hub.js';

export interface StaticFileOptions {
  /** Coalesces bursts of file events (editors write in several steps). Default 25 ms. */
  debounceMs?: number;
  logger?: Logger;
}

/** A registry over a fixed list, replaceable at run time (`replace`) or backed by a watched JSON file. */
export class StaticRegistry implements Registry {
  #services: Map<string, Snapshot>;
  readonly #sinks = new Map<string, WatchSink>();
  readonly #hub: WatchHub;
  readonly #logger: Logger;
  #watcher: FSWatcher | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #reading: Promise<void> | undefined;
  #closed = false;

  constructor(services: StaticServices = {}, options: { logger?: Logger } = {}) {
    this.#logger = options.logger ?? silentLogger;
    this.#services = normaliseServices(services);
    this.#hub = new WatchHub(
      (service, sink) => {
        this.#sinks.set(service, sink);
        queueMicrotask(() => {
          if (this.#sinks.get(service) === sink) this.#push(service, sink);
        });
        return () => {
          if (this.#sinks.get(service) === sink) this.#sinks.delete(service);
        };
      },
      (error) => this.#logger.warn('discovery listener threw', { error: String(error) }),
    );
  }

  /** Parses `catalog=127.0.0.1:7001,127.0.0.1:7002;pricing=[::1]:80?weight=2&zone=a`. */
  static fromString(text: string, options: { logger?: Logger } = {}): StaticRegistry {
    const registry = new StaticRegistry({}, options);
    registry.#services = parseStaticString(text);
    return registry;
  }

  /** Reads the string format from an environment variable (default `BREAKWATER_ENDPOINTS`). */
  static fromEnv(
    variable = 'BREAKWATER_ENDPOINTS',
    env: Readonly<Record<string, string | undefined>> = process.env,
    options: { logger?: Logger } = {},
  ): StaticRegistry {
    const value = env[variable];
    if (value === undefined) throw new InvalidConfigError(`environment variable ${variable} is not set`);
    try {
      return StaticRegistry.fromString(value, options);
    } catch (error) {
      throw new InvalidConfigError(`${variable}: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Reads a JSON file and re-reads it whenever it changes. A bad initial file rejects; a bad later
   * version keeps the last good services in force and reports InvalidConfigError to watchers.
   */
  static async fromFile(path: string, options: StaticFileOptions = {}): Promise<StaticRegistry> {
    const debounceMs = options.debounceMs ?? 25;
    if (!(Number.isFinite(debounceMs) && debounceMs >= 0)) {
      throw new RangeError(`debounceMs must be a number >= 0, got ${debounceMs}`);
    }
    const full = resolvePath(path);
    const registry = new StaticRegistry({}, options);
    registry.#services = parseStaticJson(await readFile(full, 'utf8'));
    // Watch the directory, not the file: editors and config managers replace files by rename.
    const name = basename(full);
    registry.#watcher = fsWatch(dirname(full), { persistent: false }, (_event, changed) => {
      if (changed !== null && changed !== name) return;
      if (registry.#debounce !== undefined) clearTimeout(registry.#debounce);
      registry.#debounce = setTimeout(() => {
        registry.#debounce = undefined;
        registry.#reading = registry.#reload(full);
      }, debounceMs);
    });
    registry.#watcher.on('error', (error) => registry.#broadcastError(error));
    return registry;
  }

  /** Services currently known. */
  services(): string[] {
    return [...this.#services.keys()];
  }

  /** Replaces the whole service list; watchers of changed services are notified. */
  replace(services: StaticServices): void {
    this.#apply(normaliseServices(services));
  }

  watch(service: string, listener: WatchListener): Disposer {
    if (this.#closed) throw new RegistryClosedError();
    return this.#hub.subscribe(service, listener);
  }

  async resolve(service: string): Promise<Snapshot> {
    if (this.#closed) throw new RegistryClosedError();
    const snapshot = this.#services.get(service);
    if (snapshot === undefined) throw new UnknownServiceError(service);
    if (snapshot.length === 0) throw new NoEndpointsError(service);
    return snapshot;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watcher?.close();
    if (this.#debounce !== undefined) clearTimeout(this.#debounce);
    this.#hub.close();
    this.#sinks.clear();
    await this.#reading;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #reload(path: string): Promise<void> {
    let next: Map<string, Snapshot>;
    try {
      next = parseStaticJson(await readFile(path, 'utf8'));
    } catch (error) {
      if (this.#closed) return;
      const e =
        error instanceof InvalidConfigError
          ? error
          : new InvalidConfigError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
      this.#logger.warn('static registry file rejected; keeping the last good version', { error: e.message });
      this.#broadcastError(e);
      return;
    }
    if (!this.#closed) this.#apply(next);
  }

  #apply(next: Map<string, Snapshot>): void {
    this.#services = next;
    for (const [service, sink] of this.#sinks) this.#push(service, sink);
  }

  #push(service: string, sink: WatchSink): void {
    const snapshot = this.#services.get(service);
    if (snapshot === undefined) sink.error(new UnknownServiceError(service));
    else sink.update(snapshot);
  }

  #broadcastError(error: Error): void {
    for (const sink of this.#sinks.values()) sink.error(error);
  }
}
