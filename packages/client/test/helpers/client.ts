import diagnostics from 'node:diagnostics_channel';
import { StaticRegistry } from '@breakwater/discovery';
import type { TestServer } from './servers.js';

export function staticRegistry(servers: readonly TestServer[], service = 'catalog'): StaticRegistry {
  return new StaticRegistry({
    [service]: servers.map((s) => ({ id: s.name, host: '127.0.0.1', port: s.port })),
  });
}

/** Collects diagnostics_channel messages while `fn` runs. */
export async function collect<T>(
  name: string,
  fn: () => Promise<T>,
): Promise<{ result: T; messages: Record<string, unknown>[] }> {
  const dc = await import('node:diagnostics_channel');
  const messages: Record<string, unknown>[] = [];
  const listener = (m: unknown): void => {
    messages.push(m as Record<string, unknown>);
  };
  dc.subscribe(name, listener);
  try {
    return { result: await fn(), messages };
  } finally {
    dc.unsubscribe(name, listener);
  }
}

/**
 * Records the messages of several diagnostics_channel channels, live, until `stop()`: for tests
 * that wait for one event before acting (`until(() => events.of(name).length === 1)`).
 */
export class EventLog {
  readonly #names: readonly string[];
  readonly #messages = new Map<string, Record<string, unknown>[]>();
  readonly #listeners = new Map<string, (m: unknown) => void>();

  constructor(...names: string[]) {
    this.#names = names;
    for (const name of names) {
      const list: Record<string, unknown>[] = [];
      this.#messages.set(name, list);
      const listener = (m: unknown): void => {
        list.push(m as Record<string, unknown>);
      };
      this.#listeners.set(name, listener);
      diagnostics.subscribe(name, listener);
    }
  }

  /** The messages of channel `name` so far (it must be one of the recorded channels). */
  of(name: string): Record<string, unknown>[] {
    const list = this.#messages.get(name);
    if (list === undefined) throw new Error(`${name} is not recorded`);
    return list;
  }

  stop(): void {
    for (const name of this.#names) {
      const listener = this.#listeners.get(name);
      if (listener !== undefined) diagnostics.unsubscribe(name, listener);
    }
    this.#listeners.clear();
  }
}
