import {
  createFaultProxy,
  type FaultProxy,
  isProxyClosedError,
  ProxyClosedError,
  seededRandom,
} from '@breakwater/chaos';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  connectError,
  echoServer,
  get,
  httpServer,
  RawClient,
  type Upstream,
  until,
} from './helpers/servers.js';

let echo: Upstream;
let web: Upstream;
const cleanup: (() => Promise<void>)[] = [];

beforeEach(async () => {
  echo = await echoServer();
  web = await httpServer();
});

afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  await echo.close();
  await web.close();
});

async function proxyTo(upstream: Upstream, extra: Partial<Parameters<typeof createFaultProxy>[0]> = {}) {
  const p = await createFaultProxy({ upstream: { host: '127.0.0.1', port: upstream.port }, ...extra });
  cleanup.push(() => p.close());
  return p;
}

async function client(p: FaultProxy): Promise<RawClient> {
  const c = await RawClient.open(p.port);
  cleanup.push(async () => {
    c.socket.destroy();
    await until(() => c.closed, 2_000, 'client close');
  });
  return c;
}

/** Writes `data` and resolves with the ms until it has all come back. */
async function roundTrip(c: RawClient, data: string | Buffer): Promise<number> {
  const want = c.received.length + Buffer.byteLength(data);
  const start = performance.now();
  c.socket.write(data);
  await until(() => c.received.length >= want, 10_000, 'echo');
  return performance.now() - start;
}

describe('createFaultProxy', () => {
  it('forwards bytes both ways when clean and counts them', async () => {
    const p = await proxyTo(echo);
    expect(p.address).toBe('127.0.0.1');
    expect(p.port).toBeGreaterThan(0);
    const c = await client(p);
    await roundTrip(c, 'hello');
    expect(c.received.toString()).toBe('hello');
    expect(p.stats).toMatchObject({
      connectionsAccepted: 1,
      connectionsActive: 1,
      bytesUpstream: 5,
      bytesDownstream: 5,
    });
  });

  it('proxies HTTP', async () => {
    const p = await proxyTo(web);
    await expect(get(p.port)).resolves.toEqual({ status: 200, body: 'hello' });
  });

  it('adds latency per direction (lower bound only)', async () => {
    const p = await proxyTo(echo, { faults: { latency: { ms: 80, direction: 'upstream' } } });
    const c = await client(p);
    expect(await roundTrip(c, 'a')).toBeGreaterThanOrEqual(79);
    await p.setFaults({ latency: { ms: 60 } });
    // 'both' delays the request and the echo.
    expect(await roundTrip(c, 'b')).toBeGreaterThanOrEqual(119);
  });

  it('adds latency to HTTP exchanges', async () => {
    const p = await proxyTo(web, { faults: { latency: { ms: 50, direction: 'downstream' } } });
    const start = performance.now();
    await expect(get(p.port)).resolves.toMatchObject({ status: 200 });
    expect(performance.now() - start).toBeGreaterThanOrEqual(49);
  });

  it('keeps byte order under heavy jitter (seeded)', async () => {
    const p = await proxyTo(echo, {
      random: seededRandom(7),
      faults: { latency: { ms: 20, jitterMs: 20 } },
    });
    const c = await client(p);
    let sent = '';
    for (let i = 0; i < 40; i++) {
      const part = `${i},`;
      sent += part;
      c.socket.write(part);
      // Separate writes into separate chunks so each gets its own jittered delay.
      await new Promise<void>((r) => setImmediate(r));
    }
    await until(() => c.received.length >= sent.length, 10_000, 'all bytes');
    expect(c.received.toString()).toBe(sent);
  });

  it('honours jitter bounds: delay >= ms - jitter', async () => {
    const p = await proxyTo(echo, {
      random: seededRandom(1),
      faults: { latency: { ms: 60, jitterMs: 20, direction: 'upstream' } },
    });
    const c = await client(p);
    for (let i = 0; i < 3; i++) expect(await roundTrip(c, `x${i}`)).toBeGreaterThanOrEqual(39);
  });

  it('caps bandwidth', async () => {
    const rate = 40_000;
    const p = await proxyTo(echo, {
      faults: { bandwidth: { bytesPerSecond: rate, direction: 'downstream' } },
    });
    const c = await client(p);
    const bytes = 20_000;
    const ms = await roundTrip(c, Buffer.alloc(bytes, 1));
    // Derived rate may not exceed the cap (generous margin for the first slice released at once).
    expect(bytes / (ms / 1000)).toBeLessThanOrEqual(rate * 1.2);
    expect(c.received.length).toBe(bytes);
  });

  it('applies faults changed at run time to new data', async () => {
    const p = await proxyTo(echo);
    const c = await client(p);
    await roundTrip(c, 'fast');
    await p.setFaults({ latency: { ms: 70 } });
    expect(p.faults.latency?.ms).toBe(70);
    expect(await roundTrip(c, 'slow')).toBeGreaterThanOrEqual(139);
    await p.setFaults({});
    await roundTrip(c, 'fast again');
    expect(c.received.toString()).toBe('fastslowfast again');
  });

  it('resets new connections: the client sees ECONNRESET', async () => {
    const p = await proxyTo(web, { faults: { reset: { new: true, existing: false } } });
    await expect(get(p.port)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(p.stats.connectionsReset).toBe(1);
    await p.setFaults({});
    await expect(get(p.port)).resolves.toMatchObject({ status: 200 });
  });

  it('resets existing connections with RST', async () => {
    const p = await proxyTo(echo);
    const c = await client(p);
    await roundTrip(c, 'ping');
    await p.setFaults({ reset: { existing: true, new: false } });
    await until(() => c.error !== undefined, 5_000, 'reset');
    expect(c.error?.code).toBe('ECONNRESET');
    await until(() => p.stats.connectionsActive === 0, 5_000, 'drop');
    // new connections still work
    const d = await client(p);
    await roundTrip(d, 'ok');
  });

  it('blackholes: the request times out; lifting it releases held data', async () => {
    const p = await proxyTo(web, { faults: { blackhole: true } });
    await expect(get(p.port, '/', 200)).rejects.toMatchObject({ code: 'TIMEOUT' });
    const q = await proxyTo(echo, { faults: { blackhole: { direction: 'downstream' } } });
    const c = await client(q);
    c.socket.write('held');
    await until(() => q.stats.bytesDownstream === 4, 5_000, 'echo reached the proxy');
    expect(c.received.length).toBe(0);
    await q.setFaults({});
    await until(() => c.received.toString() === 'held', 5_000, 'released');
  });

  it('down refuses new connections (ECONNREFUSED) and comes back on the same port', async () => {
    const p = await proxyTo(web);
    const port = p.port;
    await p.setFaults({ down: true });
    expect((await connectError(port)).code).toBe('ECONNREFUSED');
    await p.setFaults({ down: false });
    expect(p.port).toBe(port);
    await expect(get(port)).resolves.toMatchObject({ status: 200 });
  });

  it('delays FIN with slowCloseMs', async () => {
    const p = await proxyTo(echo, { faults: { slowCloseMs: 80 } });
    const c = await client(p);
    await roundTrip(c, 'bye');
    const start = performance.now();
    c.socket.end();
    await until(() => c.ended, 5_000, 'end');
    expect(performance.now() - start).toBeGreaterThanOrEqual(79);
  });

  it('validates options and faults, naming the field', async () => {
    await expect(createFaultProxy({ upstream: { host: '127.0.0.1', port: -1 } })).rejects.toThrow(
      /upstream\.port must be an integer port/,
    );
    await expect(createFaultProxy({ upstream: { host: '', port: 1 } })).rejects.toThrow(TypeError);
    await expect(
      createFaultProxy({ upstream: { host: '127.0.0.1', port: echo.port }, faults: { latency: { ms: -1 } } }),
    ).rejects.toThrow(/faults\.latency\.ms/);
    const p = await proxyTo(echo);
    await expect(p.setFaults({ bandwidth: { bytesPerSecond: 0 } })).rejects.toThrow(RangeError);
    await expect(p.setFaults({ latency: { ms: 1, direction: 'sideways' as never } })).rejects.toThrow(
      /faults\.latency\.direction/,
    );
    await expect(p.setFaults({ lag: 1 } as never)).rejects.toThrow(/faults\.lag is not a known field/);
    expect(p.faults).toEqual({});
  });

  it('close() leaves no sockets or timers; setFaults after close throws ProxyClosedError', async () => {
    const kinds = ['TCPSocketWrap', 'TCPServerWrap', 'Timeout'];
    const count = () => process.getActiveResourcesInfo().filter((k) => kinds.includes(k)).length;
    const baseline = count();
    const p = await createFaultProxy({
      upstream: { host: '127.0.0.1', port: echo.port },
      faults: { latency: { ms: 30_000 }, slowCloseMs: 30_000 },
    });
    const c = await RawClient.open(p.port);
    c.socket.write('pending');
    await until(() => p.stats.bytesUpstream === 7, 5_000, 'data queued');
    await p.setFaults({ down: true, latency: { ms: 30_000 } });
    expect(p.stats.connectionsActive).toBe(1);
    await p.close();
    // The proxy ended the client's connection; our half-open test client then closes its side.
    await until(() => c.ended || c.error !== undefined, 5_000, 'client ended');
    c.socket.destroy();
    await until(() => count() <= baseline, 5_000, 'resources released');
    const err = await p.setFaults({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProxyClosedError);
    expect(isProxyClosedError(err)).toBe(true);
    expect((err as ProxyClosedError).code).toBe('BREAKWATER_CHAOS_PROXY_CLOSED');
  });

  it('closes the client connection when the upstream refuses', async () => {
    const gone = await echoServer();
    const port = gone.port;
    await gone.close();
    const p = await createFaultProxy({ upstream: { host: '127.0.0.1', port } });
    cleanup.push(() => p.close());
    const c = await RawClient.open(p.port);
    await until(() => c.ended || c.error !== undefined, 5_000, 'client told');
    c.socket.destroy();
    await until(() => p.stats.connectionsActive === 0, 5_000, 'connection dropped');
  });

  it('supports await using', async () => {
    let port = 0;
    {
      await using p = await createFaultProxy({ upstream: { host: '127.0.0.1', port: web.port } });
      port = p.port;
      await expect(get(port)).resolves.toMatchObject({ status: 200 });
    }
    expect((await connectError(port)).code).toBe('ECONNREFUSED');
  });
});
