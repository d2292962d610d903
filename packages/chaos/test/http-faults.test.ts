import { createServer, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  type HttpFaultsListener,
  type HttpFaultsOptions,
  httpFaults,
  seededRandom,
  withHttpFaults,
} from '@breakwater/chaos';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { until } from './helpers/servers.js';

const open: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c();
  vi.useRealTimers();
});

/**
 * Fakes the timers and performance.now (the sockets stay real): fake time moves only when the
 * test moves it, so a delay the faults add can be read off exactly, however slow the machine.
 */
function fakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
}

async function serve(
  options: HttpFaultsOptions,
  body = 'hello',
): Promise<{ port: number; chaos: HttpFaultsListener; handledAt: number[] }> {
  // When (performance.now()) the real handler ran, per request.
  const handledAt: number[] = [];
  const chaos = withHttpFaults((_req, res) => {
    handledAt.push(performance.now());
    res.end(body);
  }, options);
  const server: Server = createServer(chaos);
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  open.push(async () => {
    await chaos.close();
    await new Promise<void>((r) => {
      server.close(() => r());
      for (const s of sockets) s.destroy();
    });
  });
  return { port: (server.address() as AddressInfo).port, chaos, handledAt };
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly chunks: number;
}

function call(
  port: number,
  opts: {
    method?: string;
    path?: string;
    body?: string;
    timeoutMs?: number;
    onData?: (chunk: string) => void;
  } = {},
) {
  return new Promise<Reply>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: opts.path ?? '/', method: opts.method ?? 'GET', agent: false },
      (res) => {
        let body = '';
        let chunks = 0;
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
          chunks++;
          opts.onData?.(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, chunks }));
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 5_000, () =>
      req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('withHttpFaults', () => {
  it('passes requests through when no fault is set', async () => {
    const { port, chaos } = await serve({});
    await expect(call(port)).resolves.toMatchObject({ status: 200, body: 'hello' });
    expect(chaos.stats).toMatchObject({ requests: 1, errors: 0, delayed: 0 });
  });

  it('answers an error status with Retry-After', async () => {
    const { port, chaos } = await serve({
      faults: { error: { rate: 1, status: 503, retryAfterSeconds: 2 } },
    });
    const r = await call(port);
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('2');
    expect(chaos.stats.errors).toBe(1);
  });

  it('injects errors into exactly the seeded share of requests (reproducible)', async () => {
    const rate = 0.3;
    const { port } = await serve({ seed: 42, faults: { error: { rate } } });
    const replay = seededRandom(42);
    const expected: number[] = [];
    const got: number[] = [];
    for (let i = 0; i < 60; i++) {
      expected.push(replay() < rate ? 503 : 200);
      got.push((await call(port)).status);
    }
    expect(got).toEqual(expected);
    expect(got.filter((s) => s === 503).length).toBeGreaterThan(0);
  });

  it('delays requests by a fixed latency and by a distribution (fake clock)', async () => {
    fakeClock();
    const { port, chaos, handledAt } = await serve({
      faults: { latency: { distribution: { kind: 'fixed', ms: 60 } } },
    });
    // The fake clock stands still until the request is held; the handler then runs at +60 ms.
    let held = performance.now();
    const first = call(port);
    await until(() => chaos.stats.delayed === 1, 5_000, 'the first request to be held');
    expect(handledAt).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(handledAt.map((t) => t - held)).toEqual([60]);
    await expect(first).resolves.toMatchObject({ status: 200, body: 'hello' });
    chaos.set({ latency: { rate: 1, distribution: { kind: 'uniform', minMs: 40, maxMs: 50 } } });
    held = performance.now();
    const second = call(port);
    await until(() => chaos.stats.delayed === 2, 5_000, 'the second request to be held');
    expect(handledAt).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(handledAt).toHaveLength(2);
    expect(handledAt[1]! - held).toBeGreaterThanOrEqual(40);
    expect(handledAt[1]! - held).toBeLessThanOrEqual(50);
    await expect(second).resolves.toMatchObject({ status: 200, body: 'hello' });
  });

  it('resets the connection: the client sees ECONNRESET', async () => {
    const { port } = await serve({ faults: { reset: { rate: 1 } } });
    await expect(call(port)).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  it('hangs: the client times out; close() drops the hung connection', async () => {
    const { port, chaos } = await serve({ faults: { hang: { rate: 1 } } });
    await expect(call(port, { timeoutMs: 150 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    const pending = call(port, { timeoutMs: 10_000 });
    await until(() => chaos.stats.hangs === 2, 5_000, 'second hang');
    await chaos.close();
    await expect(pending).rejects.toMatchObject({ code: 'ECONNRESET' });
    // after close, requests pass through
    await expect(call(port)).resolves.toMatchObject({ status: 200 });
  });

  it('sends the body slowly, in pieces, intact (fake clock)', async () => {
    fakeClock();
    const body = 'abcdefghij';
    const { port, chaos } = await serve(
      { faults: { slowBody: { rate: 1, chunkBytes: 2, delayMs: 25 } } },
      body,
    );
    // Each piece, and the fake time it arrived at (the fake clock stands still until moved).
    const pieces: string[] = [];
    const start = performance.now();
    const reply = call(port, { onData: (c) => pieces.push(`${c} @${performance.now() - start}`) });
    await until(() => chaos.stats.slowBodies === 1, 5_000, 'the handler to answer');
    // 25 ms of fake time at a time: one 2-byte piece each time, none sooner.
    for (let i = 1; i <= 5; i++) {
      vi.advanceTimersByTime(25);
      await until(() => pieces.length >= i, 5_000, `piece ${i}`);
    }
    expect(pieces).toEqual(['ab @25', 'cd @50', 'ef @75', 'gh @100', 'ij @125']);
    const r = await reply;
    expect(r.body).toBe(body);
    expect(chaos.stats.slowBodies).toBe(1);
  });

  it('set() changes faults at run time and validates them', async () => {
    const { port, chaos } = await serve({});
    expect((await call(port)).status).toBe(200);
    chaos.set({ error: { rate: 1, status: 500 } });
    expect((await call(port)).status).toBe(500);
    expect(() => chaos.set({ error: { rate: 2 } })).toThrow(
      /faults\.error\.rate must be a number in \[0, 1\]/,
    );
    expect(() => chaos.set({ latency: { distribution: { kind: 'pareto' } as never } })).toThrow(
      /faults\.latency\.distribution\.kind/,
    );
    expect(chaos.faults.error?.status).toBe(500);
  });

  it('has no admin route by default', async () => {
    const { port, chaos } = await serve({});
    const r = await call(port, { method: 'POST', path: '/__chaos', body: '{"error":{"rate":1}}' });
    expect(r).toMatchObject({ status: 200, body: 'hello' });
    expect(chaos.faults).toEqual({});
  });

  it('serves the admin route when enabled: GET, POST, 400 on bad input', async () => {
    const { port, chaos } = await serve({ adminPath: '/__chaos' });
    const set = await call(port, {
      method: 'POST',
      path: '/__chaos',
      body: '{"error":{"rate":1,"status":502}}',
    });
    expect(set.status).toBe(200);
    expect(chaos.faults.error).toEqual({ rate: 1, status: 502 });
    expect((await call(port)).status).toBe(502);
    const bad = await call(port, { method: 'POST', path: '/__chaos', body: '{"hang":{"rate":"all"}}' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toMatch(/faults\.hang\.rate/);
    expect((await call(port, { method: 'POST', path: '/__chaos', body: 'nope' })).status).toBe(400);
    const shown = await call(port, { path: '/__chaos' });
    expect(JSON.parse(shown.body)).toMatchObject({ faults: { error: { status: 502 } } });
  });

  it('close() clears pending delays and their connections', async () => {
    const { port, chaos } = await serve({
      faults: { latency: { distribution: { kind: 'fixed', ms: 30_000 } } },
    });
    const timers = () => process.getActiveResourcesInfo().filter((k) => k === 'Timeout').length;
    const pending = call(port, { timeoutMs: 60_000 });
    await until(() => chaos.stats.delayed === 1, 5_000, 'delayed');
    const before = timers();
    await chaos.close();
    await expect(pending).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(timers()).toBeLessThan(before);
  });
});

describe('httpFaults middleware', () => {
  it('calls next() for passed requests and validates options', async () => {
    const mw = httpFaults({ random: seededRandom(1), faults: { error: { rate: 0 } } });
    const server = createServer((req, res) => mw(req, res, () => res.end('next')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    open.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as AddressInfo).port;
    await expect(call(port)).resolves.toMatchObject({ body: 'next' });
    expect(() => httpFaults({ adminPath: 'chaos' })).toThrow(/adminPath must be a path/);
    expect(() => httpFaults({ seed: -1 })).toThrow(/seed must be an integer/);
    expect(() => httpFaults({ faults: { slowBody: { rate: 1, delayMs: 0 } } })).toThrow(RangeError);
    expect(() => withHttpFaults(undefined as never)).toThrow(/listener must be a function/);
    await mw.close();
  });
});
