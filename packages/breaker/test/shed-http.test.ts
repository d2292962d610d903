import { once } from 'node:events';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AdaptiveLimiter,
  Bulkhead,
  FixedLimit,
  type HttpShedOptions,
  httpShedding,
  type LimitAlgorithm,
  type SheddingLimiter,
  withHttpShedding,
} from '@breakwater/breaker';
import { afterEach, describe, expect, it } from 'vitest';

class Recorder implements LimitAlgorithm {
  readonly type = 'recorder';
  readonly samples: { rtt: number; didDrop: boolean }[] = [];
  constructor(public limit: number) {}
  onSample(_start: number, rtt: number, _inflight: number, didDrop: boolean): void {
    this.samples.push({ rtt, didDrop });
  }
}

/** Polls a condition each event-loop turn until it holds or the deadline passes (no timed sleep). */
async function until(cond: () => boolean, what: string, deadlineMs = 5000): Promise<void> {
  const end = performance.now() + deadlineMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

let server: Server | undefined;
afterEach(async () => {
  if (!server) return;
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
  server = undefined;
});

/** A server whose handler parks each request until the test releases it. */
async function start(limiter: SheddingLimiter, options: HttpShedOptions = {}) {
  const parked: { req: IncomingMessage; res: ServerResponse }[] = [];
  let handled = 0;
  server = createServer(
    withHttpShedding(
      limiter,
      (req, res) => {
        handled++;
        if (req.url === '/fast') res.end('fast');
        else parked.push({ req, res });
      },
      options,
    ),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, parked, handled: () => handled };
}

describe('httpShedding (node:http)', () => {
  it('passes requests under the limit and answers 503 with Retry-After over it, without calling the handler', async () => {
    const limiter = new AdaptiveLimiter({ limit: new FixedLimit(1) });
    const { url, parked, handled } = await start(limiter, { retryAfterMs: 2500 });
    const first = fetch(`${url}/slow`);
    await until(() => parked.length === 1, 'the first request to be parked');
    const shed = await fetch(`${url}/slow`);
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('3'); // 2.5 s rounded up
    expect(await shed.text()).toContain('overloaded');
    expect(handled()).toBe(1);
    parked[0]!.res.end('done');
    const res = await first;
    expect([res.status, await res.text()]).toEqual([200, 'done']);
    await until(() => limiter.inFlight === 0, 'the permit to be released');
    const again = await fetch(`${url}/fast`);
    expect(again.status).toBe(200);
    await again.text();
    expect(limiter.stats).toMatchObject({ admitted: 2, rejected: 1 });
  });

  it('samples the RTT from request start to finish with the injected clock; a 503 from the handler is a drop', async () => {
    const time = { now: 0 };
    const clock = { now: () => time.now };
    const algorithm = new Recorder(5);
    const limiter = new AdaptiveLimiter({ limit: algorithm, clock });
    const { url, parked } = await start(limiter, { clock });
    const a = fetch(`${url}/a`);
    await until(() => parked.length === 1, 'request a');
    time.now += 42;
    parked[0]!.res.end('a');
    await (await a).text();
    await until(() => algorithm.samples.length === 1, 'the sample of a');
    const b = fetch(`${url}/b`);
    await until(() => parked.length === 2, 'request b');
    time.now += 7;
    parked[1]!.res.statusCode = 503;
    parked[1]!.res.end();
    expect((await b).status).toBe(503);
    await until(() => algorithm.samples.length === 2, 'the sample of b');
    expect(algorithm.samples).toEqual([
      { rtt: 42, didDrop: false },
      { rtt: 7, didDrop: true },
    ]);
  });

  it('a response closed before it finished (client gone) is ignored by default, a drop with onClose: dropped', async () => {
    for (const onClose of ['ignore', 'dropped'] as const) {
      const algorithm = new Recorder(5);
      const limiter = new AdaptiveLimiter({ limit: algorithm });
      const { url, parked } = await start(limiter, { onClose });
      const req = request(`${url}/slow`);
      req.on('error', () => {});
      req.end();
      await until(() => parked.length === 1, 'the request to arrive');
      req.destroy();
      await until(() => limiter.inFlight === 0, 'the permit to be released');
      expect(algorithm.samples.map((s) => s.didDrop)).toEqual(onClose === 'ignore' ? [] : [true]);
      expect(limiter.stats.ignored).toBe(onClose === 'ignore' ? 1 : 0);
      server!.closeAllConnections();
      server!.close();
      await once(server!, 'close');
      server = undefined;
    }
  });

  it('as middleware: calls next only when admitted; works with a Bulkhead as a fixed limit', async () => {
    const bulkhead = new Bulkhead({ maxConcurrent: 1 });
    const mw = httpShedding(bulkhead, {
      respond: (_req, res, s) => res.writeHead(503, { 'retry-after': String(s) }).end('busy'),
    });
    let nexts = 0;
    server = createServer((req, res) =>
      mw(req, res, () => {
        nexts++;
        if (req.url === '/hold') return; // left open: holds the slot
        res.end('ok');
      }),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const held = request(`${url}/hold`);
    held.on('error', () => {});
    held.end();
    await until(() => nexts === 1, 'the held request');
    const res = await fetch(`${url}/x`);
    expect([res.status, res.headers.get('retry-after'), await res.text()]).toEqual([503, '1', 'busy']);
    expect(nexts).toBe(1);
    held.destroy();
    await until(() => bulkhead.inFlight === 0, 'the slot to be released');
  });

  it('validates its arguments', () => {
    const limiter = new AdaptiveLimiter();
    expect(() => httpShedding({} as never)).toThrow(/limiter must have a tryAcquire\(\) method/);
    expect(() => httpShedding(limiter, { retryAfterMs: -1 })).toThrow(/retryAfterMs/);
    expect(() => httpShedding(limiter, { onClose: 'x' as never })).toThrow(
      `onClose must be 'ignore' or 'dropped', got "x"`,
    );
    expect(() => withHttpShedding(limiter, 1 as never)).toThrow('listener must be a function, got 1');
  });
});
