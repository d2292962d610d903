import {
  createFaultProxy,
  type FaultProxy,
  isProxyClosedError,
  ProxyClosedError,
  seededRandom,
} from '@breakwater/chaos';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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
  vi.useRealTimers();
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

/** Writes `data` and resolves once it has all come back. */
async function roundTrip(c: RawClient, data: string | Buffer): Promise<void> {
  const want = c.received.length + Buffer.byteLength(data);
  c.socket.write(data);
  await until(() => c.received.length >= want, 10_000, 'echo');
}

/**
 * Fakes the proxy's clock and timers (performance.now and setTimeout; the sockets stay real) and
 * returns the fake time elapsed since: a delay the proxy adds is then exact, however slow the
 * machine. Fake time moves only when the test moves it (releaseNext).
 */
function fakeClock(): () => number {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  const t0 = performance.now();
  return () => performance.now() - t0;
}

/** Waits until the proxy holds data (or a FIN) on a timer, then moves the fake clock to it and runs it. */
async function releaseNext(): Promise<void> {
  await until(() => vi.getTimerCount() > 0, 5_000, 'the proxy to hold data');
  vi.advanceTimersToNextTimer();
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

  it('adds latency per direction (fake clock)', async () => {
    const elapsed = fakeClock();
    const p = await proxyTo(echo, { faults: { latency: { ms: 80, direction: 'upstream' } } });
    const c = await client(p);
    c.socket.write('a');
    // Held 80 ms on the way up; the echo then comes straight back, with no more time passing.
    await releaseNext();
    expect(elapsed()).toBe(80);
    await until(() => c.received.toString() === 'a', 5_000, 'the echo of a');
    expect(elapsed()).toBe(80);
    await p.setFaults({ latency: { ms: 60 } });
    // 'both' delays the request and the echo.
    c.socket.write('b');
    await releaseNext();
    expect(elapsed()).toBe(80 + 60);
    await releaseNext();
    expect(elapsed()).toBe(80 + 120);
    await until(() => c.received.toString() === 'ab', 5_000, 'the echo of b');
  });

  it('adds latency to HTTP exchanges (fake clock)', async () => {
    const elapsed = fakeClock();
    const p = await proxyTo(web, { faults: { latency: { ms: 50, direction: 'downstream' } } });
    const res = get(p.port);
    // The response (one write from the server) is held 50 ms on its way back.
    await releaseNext();
    expect(elapsed()).toBe(50);
    await expect(res).resolves.toEqual({ status: 200, body: 'hello' });
    expect(elapsed()).toBe(50);
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

  it('honours jitter bounds: ms - jitter <= delay <= ms + jitter (fake clock)', async () => {
    const elapsed = fakeClock();
    const p = await proxyTo(echo, {
      random: seededRandom(1),
      faults: { latency: { ms: 60, jitterMs: 20, direction: 'upstream' } },
    });
    const c = await client(p);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const sent = elapsed();
      c.socket.write(`x${i}`);
      await releaseNext();
      delays.push(elapsed() - sent);
      await until(() => c.received.toString().endsWith(`x${i}`), 5_000, `the echo of x${i}`);
    }
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(40);
      expect(d).toBeLessThanOrEqual(80);
    }
    expect(new Set(delays).size).toBeGreaterThan(1); // jittered, not a fixed 60 ms
  });

  it('caps bandwidth (fake clock)', async () => {
    fakeClock();
    const rate = 40_000;
    const p = await proxyTo(echo, {
      faults: { bandwidth: { bytesPerSecond: rate, direction: 'downstream' } },
    });
    const c = await client(p);
    const bytes = 20_000; // 500 ms at the cap
    c.socket.write(Buffer.alloc(bytes, 1));
    await until(() => p.stats.bytesDownstream === bytes, 5_000, 'the echo to reach the proxy');
    // All of it is at the proxy at time 0. By each 100 ms of (fake) time the client has got what
    // the cap allows, never more: the proxy releases ~50 ms worth at a time once "transmitted".
    const slice = rate * 0.05;
    for (let ms = 100; ms < 500; ms += 100) {
      vi.advanceTimersByTime(100);
      const cap = (rate * ms) / 1000;
      await until(() => c.received.length >= cap - slice, 5_000, `${cap - slice} bytes by ${ms} ms`);
      expect(c.received.length).toBeLessThanOrEqual(cap);
    }
    // The last bytes go out at bytes / rate = 500 ms (timers fire on whole ms: by 501).
    vi.advanceTimersByTime(99);
    await until(() => c.received.length >= bytes - slice, 5_000, 'all but the last slice');
    expect(c.received.length).toBeLessThan(bytes);
    vi.advanceTimersByTime(2);
    await until(() => c.received.length === bytes, 5_000, 'the last slice');
  });

  it('applies faults changed at run time to new data (fake clock)', async () => {
    const elapsed = fakeClock();
    const p = await proxyTo(echo);
    const c = await client(p);
    await roundTrip(c, 'fast'); // no time has to pass
    await p.setFaults({ latency: { ms: 70 } });
    expect(p.faults.latency?.ms).toBe(70);
    c.socket.write('slow');
    await releaseNext();
    await releaseNext();
    expect(elapsed()).toBe(140); // 70 ms each way
    await until(() => c.received.toString() === 'fastslow', 5_000, 'the echo of slow');
    await p.setFaults({});
    await roundTrip(c, 'fast again');
    expect(elapsed()).toBe(140);
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

  it('delays FIN with slowCloseMs, each way, not the data (fake clock)', async () => {
    const elapsed = fakeClock();
    const p = await proxyTo(echo, { faults: { slowCloseMs: 80 } });
    const c = await client(p);
    await roundTrip(c, 'bye');
    c.socket.end();
    await releaseNext(); // the client's FIN, on its way up
    expect(elapsed()).toBe(80);
    await releaseNext(); // the echo's FIN, on its way back
    expect(elapsed()).toBe(160);
    await until(() => c.ended, 5_000, 'end');
    expect(elapsed()).toBe(160);
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
