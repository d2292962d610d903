import { createHttpClient, isClientClosedError } from '@breakwater/client';
import { type Registry, StaticRegistry, type WatchListener } from '@breakwater/discovery';
import { request } from 'undici';
import { expect, it } from 'vitest';
import { startServers, until } from './helpers/servers.js';

function counts(): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

/** Wraps a registry to count open watches. */
function counting(inner: Registry): Registry & { readonly open: number } {
  let open = 0;
  return {
    get open() {
      return open;
    },
    watch(service: string, listener: WatchListener) {
      open++;
      const dispose = inner.watch(service, listener);
      let done = false;
      return () => {
        if (!done) {
          done = true;
          open--;
          dispose();
        }
      };
    },
    resolve: (s, signal) => inner.resolve(s, signal),
    close: () => inner.close(),
    [Symbol.asyncDispose]: () => inner.close(),
  };
}

it('close() leaves no socket, timer or watch behind', async () => {
  const baseline = counts();
  const servers = await startServers(3);
  const inner = new StaticRegistry({
    catalog: servers.map((s) => ({ id: s.name, host: '127.0.0.1', port: s.port })),
    other: [{ host: '127.0.0.1', port: servers[0]!.port }],
  });
  const registry = counting(inner);
  const client = createHttpClient({
    registry,
    unknownHosts: 'passthrough',
    services: { catalog: { perTryTimeoutMs: 1_000, hedge: { delayMs: 1 } }, other: {} },
  });
  servers[2]!.fault = { kind: 'status', status: 503 };
  for (let i = 0; i < 10; i++) {
    const res = await request('http://catalog/x', { dispatcher: client.dispatcher });
    await res.body.dump();
  }
  await (await client.fetch('http://other/y')).text();
  await (
    await request(`http://127.0.0.1:${servers[1]!.port}/z`, { dispatcher: client.dispatcher })
  ).body.dump();
  expect(registry.open).toBe(2); // one watch per service, started lazily
  // A call stuck in a backoff sleep when close() comes is failed, not left waiting.
  for (const s of servers) s.fault = { kind: 'status', status: 503, headers: { 'retry-after': '5' } };
  const dc = await import('node:diagnostics_channel');
  let retries = 0;
  const onRetry = (): void => {
    retries++;
  };
  dc.subscribe('breakwater:retry', onRetry);
  const waiting = request('http://catalog/w', { dispatcher: client.dispatcher }).catch((e) => e);
  await until(() => retries > 0, 5_000, 'the retry to be scheduled');
  dc.unsubscribe('breakwater:retry', onRetry);
  await client.close();
  const err = await waiting;
  expect(isClientClosedError(err)).toBe(true);
  expect(registry.open).toBe(0);
  const after = await request('http://catalog/x', { dispatcher: client.dispatcher }).catch((e) => e);
  expect(isClientClosedError(after)).toBe(true);
  await Promise.all(servers.map((s) => s.stop()));
  await inner.close();
  // Sockets close asynchronously: poll (bounded) until the counts are back to the baseline.
  await until(
    () => {
      const now = counts();
      for (const kind of ['TCPSocketWrap', 'TCPServerWrap', 'Timeout']) {
        if ((now.get(kind) ?? 0) > (baseline.get(kind) ?? 0)) return false;
      }
      return true;
    },
    5_000,
    `no leftover resources (${JSON.stringify([...counts()])})`,
  );
});

it('Symbol.asyncDispose closes the client', async () => {
  const servers = await startServers(1);
  const registry = new StaticRegistry({ catalog: [{ host: '127.0.0.1', port: servers[0]!.port }] });
  {
    await using client = createHttpClient({ registry, services: { catalog: {} } });
    await (await client.request('catalog')).body.dump();
  }
  await servers[0]!.stop();
  await registry.close();
});

it('dispatcher.destroy() ends calls in flight at once with ClientClosedError', async () => {
  const servers = await startServers(1);
  servers[0]!.fault = { kind: 'hang' };
  const registry = new StaticRegistry({ catalog: [{ host: '127.0.0.1', port: servers[0]!.port }] });
  const client = createHttpClient({ registry, services: { catalog: {} } });
  const pending = request('http://catalog/x', { dispatcher: client.dispatcher }).catch((e) => e);
  await until(() => servers[0]!.requests === 1, 5_000, 'the request to arrive');
  await client.dispatcher.destroy();
  expect(isClientClosedError(await pending)).toBe(true);
  await until(() => servers[0]!.connections === 0, 5_000, 'the connection to be cut');
  await servers[0]!.stop();
  await registry.close();
});
