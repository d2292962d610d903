import { createHttpClient, isDeadlineExceededError } from '@breakwater/client';
import { request } from 'undici';
import { afterEach, expect, it } from 'vitest';
import { EventLog, staticRegistry } from './helpers/client.js';
import { startServers, TestClock, type TestServer, until, watch } from './helpers/servers.js';

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
  // The cut socket closes at once; undici may open a spare connection that then idles out after its
  // 4 s keep-alive, so the give-up deadline leaves room for that.
  await until(() => servers[0]!.connections === 0, 15_000, 'the connection to be cut');
});

it('an abort during a backoff sleep ends the call without another attempt (injected clock)', async () => {
  servers = await startServers(1);
  servers[0]!.fault = { kind: 'status', status: 503, headers: { 'retry-after': '3' } };
  const clock = new TestClock();
  const client = createHttpClient({
    registry: staticRegistry(servers),
    clock,
    timerResolutionMs: 1,
    services: { catalog: {} },
  });
  closers.push(() => client.close());
  const events = new EventLog('breakwater:retry', 'breakwater:attempt:start', 'breakwater:attempt:end');
  closers.push(async () => events.stop());
  const ac = new AbortController();
  const call = watch(
    request('http://catalog/x', { dispatcher: client.dispatcher, signal: ac.signal }).catch((e) => e),
  );
  // The first attempt has ended: the call sleeps until the Retry-After has passed on the clock,
  // which the test does not move, so only the abort can end it.
  await until(() => events.of('breakwater:attempt:end').length === 1, 5_000, 'the first 503');
  expect(events.of('breakwater:retry')).toMatchObject([{ delayMs: 3_000 }]);
  ac.abort(new Error('stop'));
  await until(() => call.settled, 5_000, 'the abort to end the call');
  expect((await call.promise).message).toBe('stop');
  // Past the Retry-After, with the client's ticker running for another call: no retry is sent.
  servers[0]!.fault = { kind: 'hang' };
  const other = new AbortController();
  const probe = request('http://catalog/probe', {
    dispatcher: client.dispatcher,
    signal: other.signal,
  }).catch((e) => e);
  await until(() => servers[0]!.requests === 2, 5_000, 'the other call to arrive');
  clock.advance(3_001);
  await clock.ticked();
  expect(events.of('breakwater:attempt:start').map((m) => m.attempt)).toEqual([1, 1]);
  expect(servers[0]!.requests).toBe(2);
  other.abort();
  await probe;
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
