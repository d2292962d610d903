import { createHttpClient, isDeadlineExceededError } from '@breakwater/client';
import { request } from 'undici';
import { afterEach, expect, it } from 'vitest';
import { staticRegistry } from './helpers/client.js';
import { startServers, type TestServer, until } from './helpers/servers.js';

let servers: TestServer[] = [];
const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});

it("a caller's abort rejects promptly with its reason and cuts the attempt", async () => {
  servers = await startServers(1);
  servers[0]!.fault = { kind: 'hang' };
  const client = createHttpClient({ registry: staticRegistry(servers), services: { catalog: {} } });
  closers.push(() => client.close());
  const ac = new AbortController();
  const pending = request('http://catalog/x', { dispatcher: client.dispatcher, signal: ac.signal }).catch(
    (e) => e,
  );
  await until(() => servers[0]!.requests === 1, 5_000, 'the request to arrive');
  const reason = new Error('caller gave up');
  ac.abort(reason);
  expect(await pending).toBe(reason);
  await until(() => servers[0]!.connections === 0, 5_000, 'the connection to be cut');
});

it('an abort during a backoff sleep ends the call without another attempt', async () => {
  servers = await startServers(1);
  servers[0]!.fault = { kind: 'status', status: 503, headers: { 'retry-after': '3' } };
  const client = createHttpClient({ registry: staticRegistry(servers), services: { catalog: {} } });
  closers.push(() => client.close());
  const ac = new AbortController();
  const dc = await import('node:diagnostics_channel');
  let retried = false;
  const onRetry = (): void => {
    retried = true;
  };
  dc.subscribe('breakwater:retry', onRetry);
  const started = performance.now();
  const pending = request('http://catalog/x', { dispatcher: client.dispatcher, signal: ac.signal }).catch(
    (e) => e,
  );
  await until(() => retried, 5_000, 'the retry to be scheduled');
  dc.unsubscribe('breakwater:retry', onRetry);
  ac.abort(new Error('stop'));
  expect((await pending).message).toBe('stop');
  expect(performance.now() - started).toBeLessThan(2_500);
  expect(servers[0]!.requests).toBe(1);
});

it('the deadline also bounds a streaming body: the stream errors with the typed error', async () => {
  servers = await startServers(1);
  servers[0]!.fault = { kind: 'stream', chunks: 5 };
  const client = createHttpClient({
    registry: staticRegistry(servers),
    services: { catalog: { timeoutMs: 300 } },
  });
  closers.push(() => client.close());
  const res = await request('http://catalog/s', { dispatcher: client.dispatcher });
  expect(res.statusCode).toBe(200);
  const err = await res.body.text().catch((e) => e);
  expect(isDeadlineExceededError(err)).toBe(true);
});

it('timeoutMs: 0 lets a long stream run past any deadline', async () => {
  servers = await startServers(1);
  servers[0]!.fault = { kind: 'stream', chunks: 2 };
  const client = createHttpClient({
    registry: staticRegistry(servers),
    services: { catalog: { timeoutMs: 0 } },
  });
  closers.push(() => client.close());
  const res = await request('http://catalog/s', { dispatcher: client.dispatcher });
  const text = res.body.text();
  expect(servers[0]!.seen[0]!.headers['x-breakwater-deadline-ms']).toBeUndefined();
  await until(() => servers[0]!.releaseChunk(), 5_000, 'chunk 2');
  await until(() => servers[0]!.releaseChunk(), 5_000, 'the end');
  expect(await text).toBe('chunk1;chunk2;');
});
