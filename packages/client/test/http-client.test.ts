import { Readable } from 'node:stream';
import {
  createHttpClient,
  type HttpClient,
  isRequestFailedError,
  isUnknownServiceError,
} from '@breakwater/client';
import { parseTraceparent } from '@breakwater/tracing';
import { type Dispatcher, fetch, request, stream } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, staticRegistry } from './helpers/client.js';
import { startServers, type TestServer } from './helpers/servers.js';

let servers: TestServer[];
let client: HttpClient;

beforeEach(async () => {
  servers = await startServers(3);
  client = createHttpClient({
    registry: staticRegistry(servers),
    services: { catalog: { balancer: { policy: 'round-robin' }, retry: { maxAttempts: 3 } } },
  });
});

afterEach(async () => {
  await client.close();
  await Promise.all(servers.map((s) => s.stop()));
});

describe('undici APIs through the dispatcher', () => {
  it('undici.request reaches an endpoint of the service', async () => {
    const res = await request('http://catalog/items?x=1', { dispatcher: client.dispatcher });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toMatch(/^s[012]:$/);
    const seen = servers.flatMap((s) => s.seen);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('/items?x=1');
  });

  it('undici.fetch sends a request body', async () => {
    const res = await fetch('http://catalog/echo', {
      dispatcher: client.dispatcher,
      method: 'POST',
      body: JSON.stringify({ a: 1 }),
      headers: { 'content-type': 'application/json', 'x-mine': 'yes' },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/:\{"a":1\}$/);
    const seen = servers.flatMap((s) => s.seen)[0]!;
    expect(seen.headers['x-mine']).toBe('yes');
    expect(seen.headers['content-type']).toBe('application/json');
  });

  it('client.fetch and client.request work with service names', async () => {
    const f = await client.fetch('http://catalog/a');
    expect(await f.text()).toMatch(/^s\d:$/);
    const r = await client.request('catalog', { path: '/b', method: 'PUT', body: 'data' });
    expect(r.statusCode).toBe(200);
    expect(await r.body.text()).toMatch(/^s\d:data$/);
  });

  it('streams the response: the first chunk arrives before the server has finished', async () => {
    for (const s of servers) s.fault = { kind: 'stream', chunks: 3 };
    const res = await request('http://catalog/stream', { dispatcher: client.dispatcher });
    const server = servers.find((s) => s.requests === 1)!;
    const it = res.body[Symbol.asyncIterator]();
    const first = await it.next();
    expect(String(first.value)).toBe('chunk1;');
    // The rest has not been written yet: the client did not wait for (or buffer) the whole body.
    expect(server.releaseChunk()).toBe(true);
    const second = await it.next();
    expect(String(second.value)).toBe('chunk2;');
    expect(server.releaseChunk()).toBe(true);
    expect(server.releaseChunk()).toBe(true);
    let rest = '';
    for (let n = await it.next(); !n.done; n = await it.next()) rest += String(n.value);
    expect(rest).toBe('chunk3;');
  });

  it('undici.stream works with the dispatcher', async () => {
    const chunks: Buffer[] = [];
    const { Writable } = await import('node:stream');
    await stream(
      'http://catalog/s',
      { dispatcher: client.dispatcher, method: 'GET' },
      () =>
        new Writable({
          write(chunk: Buffer, _enc, cb) {
            chunks.push(chunk);
            cb();
          },
        }),
    );
    expect(Buffer.concat(chunks).toString()).toMatch(/^s\d:$/);
  });

  it('dispatch with a handler written for the newer handler API', async () => {
    const events: string[] = [];
    let body = '';
    await new Promise<void>((resolve, reject) => {
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart: () => events.push('start'),
        onResponseStart: (_c, status, headers) =>
          events.push(`headers ${status} ${String(headers['x-server'])}`),
        onResponseData: (_c, chunk) => {
          body += chunk.toString();
        },
        onResponseEnd: () => {
          events.push('end');
          resolve();
        },
        onResponseError: (_c, err) => reject(err),
      };
      client.dispatcher.dispatch({ origin: 'http://catalog', path: '/new', method: 'GET' }, handler);
    });
    expect(events[0]).toBe('start');
    expect(events[1]).toMatch(/^headers 200 s\d$/);
    expect(events[2]).toBe('end');
    expect(body).toMatch(/^s\d:$/);
  });

  it('refuses hosts that are not services by default, with a typed error', async () => {
    const err = await request('http://unknown-host/x', { dispatcher: client.dispatcher }).catch((e) => e);
    expect(isUnknownServiceError(err)).toBe(true);
    expect(err.code).toBe('BREAKWATER_UNKNOWN_SERVICE');
  });

  it('passes other hosts to a plain agent with unknownHosts: passthrough', async () => {
    const c = createHttpClient({ registry: staticRegistry(servers), unknownHosts: 'passthrough' });
    try {
      const res = await request(`http://127.0.0.1:${servers[1]!.port}/direct`, { dispatcher: c.dispatcher });
      expect(await res.body.text()).toBe('s1:');
      expect(servers[1]!.seen[0]!.headers.traceparent).toBeUndefined();
    } finally {
      await c.close();
    }
  });
});

describe('retries', () => {
  it('a retry moves to another endpoint and replays the body', async () => {
    servers[0]!.fault = { kind: 'status', status: 503 };
    const { messages } = await collect('breakwater:attempt:end', async () => {
      for (let i = 0; i < 9; i++) {
        const res = await request('http://catalog/put', {
          dispatcher: client.dispatcher,
          method: 'PUT',
          body: `b${i}`,
        });
        expect(res.statusCode).toBe(200);
        expect(await res.body.text()).toBe(`${res.headers['x-server']}:b${i}`);
      }
    });
    const failed = messages.filter((m) => m.statusCode === 503);
    expect(failed.length).toBeGreaterThan(0);
    // Every 503 from s0 was followed by a successful attempt on another endpoint.
    for (const m of failed) {
      const next = messages[messages.indexOf(m) + 1]!;
      expect(next.endpoint).not.toBe('s0');
      expect(next.outcome).toBe('success');
    }
    expect(servers[0]!.seen.every((s) => s.body.startsWith('b'))).toBe(true);
  });

  it('retries a reset connection for GET but not for POST; idempotent: true allows it', async () => {
    servers[0]!.fault = { kind: 'reset' };
    servers[1]!.fault = { kind: 'reset' };
    servers[2]!.fault = { kind: 'reset' };
    const get = await request('http://catalog/g', { dispatcher: client.dispatcher }).catch((e) => e);
    expect(isRequestFailedError(get)).toBe(true);
    expect(get.report.attempts).toBe(3);
    expect(new Set(get.report.endpoints).size).toBe(3);
    const post = await request('http://catalog/p', {
      dispatcher: client.dispatcher,
      method: 'POST',
      body: 'x',
    }).catch((e) => e);
    expect(isRequestFailedError(post)).toBe(true);
    expect(post.reason).toBe('not-retryable');
    expect(post.report.attempts).toBe(1);
    expect(post.cause).toBeInstanceOf(Error);

    const c = createHttpClient({
      registry: staticRegistry(servers),
      services: { catalog: { idempotent: true, retry: { maxAttempts: 2 } } },
    });
    try {
      const p2 = await request('http://catalog/p', {
        dispatcher: c.dispatcher,
        method: 'POST',
        body: 'x',
      }).catch((e) => e);
      expect(p2.report.attempts).toBe(2);
      expect(p2.reason).toBe('attempts-exhausted');
    } finally {
      await c.close();
    }
  });

  it('a 503 to a POST is not retried unless the route says idempotent', async () => {
    for (const s of servers) s.fault = { kind: 'status', status: 503 };
    const res = await request('http://catalog/p', {
      dispatcher: client.dispatcher,
      method: 'POST',
      body: 'x',
    });
    expect(res.statusCode).toBe(503);
    await res.body.dump();
    expect(servers.reduce((n, s) => n + s.requests, 0)).toBe(1);
  });

  it('a 503 that can no longer be retried is handed to the caller as is', async () => {
    for (const s of servers) s.fault = { kind: 'status', status: 503 };
    const res = await request('http://catalog/x', { dispatcher: client.dispatcher });
    expect(res.statusCode).toBe(503);
    expect(await res.body.text()).toMatch(/says 503/);
    expect(servers.reduce((n, s) => n + s.requests, 0)).toBe(3);
  });

  it('does not retry a stream body once sent, but does with a body factory', async () => {
    servers[0]!.fault = { kind: 'status', status: 503 };
    servers[1]!.fault = { kind: 'status', status: 503 };
    servers[2]!.fault = { kind: 'status', status: 503 };
    const once = await request('http://catalog/up', {
      dispatcher: client.dispatcher,
      method: 'PUT',
      body: Readable.from(['a', 'b']),
    });
    expect(once.statusCode).toBe(503);
    await once.body.dump();
    expect(servers.reduce((n, s) => n + s.requests, 0)).toBe(1);
    servers[2]!.fault = { kind: 'ok' };
    const res = await client.request('catalog', {
      path: '/up',
      method: 'PUT',
      body: () => Readable.from(['a', 'b']),
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.text()).toBe('s2:ab');
  });

  it('a per-route override can disable retries', async () => {
    const c = createHttpClient({
      registry: staticRegistry(servers),
      services: { catalog: { routes: [{ method: 'GET', path: '/no-retry/*', retry: false }] } },
    });
    try {
      for (const s of servers) s.fault = { kind: 'status', status: 503 };
      const a = await request('http://catalog/no-retry/1', { dispatcher: c.dispatcher });
      await a.body.dump();
      expect(servers.reduce((n, s) => n + s.requests, 0)).toBe(1);
      const b = await request('http://catalog/other', { dispatcher: c.dispatcher });
      await b.body.dump();
      expect(servers.reduce((n, s) => n + s.requests, 0)).toBe(4);
    } finally {
      await c.close();
    }
  });
});

describe('trace context and deadline propagation', () => {
  it('injects a traceparent per attempt: same trace, different parent ids', async () => {
    for (const s of servers) s.fault = { kind: 'status', status: 503 };
    const res = await request('http://catalog/t', { dispatcher: client.dispatcher });
    expect(res.statusCode).toBe(503);
    await res.body.dump();
    const tps = servers.flatMap((s) => s.seen).map((s) => parseTraceparent(String(s.headers.traceparent)));
    expect(tps).toHaveLength(3);
    for (const tp of tps) expect(tp).not.toBeNull();
    expect(new Set(tps.map((t) => t!.traceId)).size).toBe(1);
    expect(new Set(tps.map((t) => t!.parentId)).size).toBe(3);
  });

  it('replaces a caller-supplied traceparent and sends the remaining deadline', async () => {
    const res = await request('http://catalog/d', {
      dispatcher: client.dispatcher,
      headers: { traceparent: 'garbage', 'x-breakwater-deadline-ms': '999999' },
    });
    await res.body.dump();
    const h = servers.flatMap((s) => s.seen)[0]!.headers;
    expect(parseTraceparent(String(h.traceparent))).not.toBeNull();
    const remaining = Number(h['x-breakwater-deadline-ms']);
    expect(remaining).toBeGreaterThan(10_000);
    expect(remaining).toBeLessThanOrEqual(15_000);
  });
});

describe('more undici entry points', () => {
  it('undici.pipeline streams a request body through and the response back', async () => {
    const { pipeline } = await import('undici');
    const { pipeline: pipe } = await import('node:stream/promises');
    let out = '';
    await pipe(
      Readable.from(['x', 'y']),
      pipeline('http://catalog/pipe', { dispatcher: client.dispatcher, method: 'PUT' }, ({ body }) => body),
      async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) out += chunk.toString();
      },
    );
    expect(out).toMatch(/^s\d:xy$/);
  });

  it('composes with undici interceptors', async () => {
    const { interceptors } = await import('undici');
    for (const s of servers) s.fault = { kind: 'status', status: 404 };
    const composed = client.dispatcher.compose(interceptors.responseError());
    const err = await request('http://catalog/missing', { dispatcher: composed }).catch((e) => e);
    expect(err.statusCode ?? err.status).toBe(404);
  });
});
