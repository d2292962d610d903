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
