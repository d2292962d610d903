import diagnostics from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDashboard, type Dashboard, type DashboardSnapshot } from '@breakwater/client';
import express from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { until } from './helpers/servers.js';
import { openStream } from './helpers/sse.js';

const CHANNELS = [
  'request:end',
  'attempt:end',
  'retry',
  'hedge',
  'budget:exhausted',
  'breaker:state',
  'eject',
  'uneject',
  'endpoints',
  'discovery:error',
].map((c) => `breakwater:${c}`);

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
  vi.restoreAllMocks();
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function serve(d: Dashboard, next?: boolean): Promise<{ url: string; fellThrough: string[] }> {
  const fellThrough: string[] = [];
  const server = createServer((req, res) => {
    if (next === true) {
      d.handler(req, res, () => {
        fellThrough.push(req.url ?? '');
        res.writeHead(418).end('teapot');
      });
    } else d.handler(req, res);
  });
  return { url: await listen(server), fellThrough };
}

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

function fetchText(url: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function dashboard(options: Parameters<typeof createDashboard>[0] = {}): Dashboard {
  const d = createDashboard(options);
  cleanup.push(() => d.close());
  return d;
}

describe('routes', () => {
  it('serves the page with a fresh CSP nonce per response, no CDN, and the title escaped', async () => {
    const d = dashboard({ title: '<img src=x onerror=alert(1)> & co' });
    const { url } = await serve(d);
    const a = await fetchText(`${url}/`);
    const b = await fetchText(url);
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(a.headers['x-content-type-options']).toBe('nosniff');
    const csp = String(a.headers['content-security-policy']);
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(a.body).toContain(`<script nonce="${nonce}">`);
    expect(a.body).toContain(`<style nonce="${nonce}">`);
    expect(String(b.headers['content-security-policy'])).not.toContain(nonce);
    expect(a.body).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; co');
    expect(a.body).not.toContain('<img');
    // Offline: nothing is loaded from elsewhere, and data never goes through innerHTML.
    expect(a.body).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(a.body).not.toContain('innerHTML');
    const head = await fetchText(url, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('serves /snapshot.json with what the channels reported', async () => {
    const d = dashboard();
    const { url } = await serve(d);
    diagnostics
      .channel('breakwater:request:end')
      .publish({ service: 'route-svc', outcome: 'success', durationMs: 2 });
    const r = await fetchText(`${url}/snapshot.json?x=1`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-cache');
    const snap = JSON.parse(r.body) as DashboardSnapshot;
    expect(snap.intervalMs).toBe(1000);
    expect(snap.title).toBe('Breakwater');
    expect(Math.abs(snap.at - Date.now())).toBeLessThan(60_000);
    expect(snap.services.find((s) => s.name === 'route-svc')?.totals.requests).toBe(1);
    expect(Array.isArray(snap.events)).toBe(true);
  });

  it('answers 404 on unknown paths without next, and 405 on other methods', async () => {
    const d = dashboard();
    const { url } = await serve(d);
    expect((await fetchText(`${url}/nope`)).status).toBe(404);
    expect((await fetchText(`${url}/stream/x`)).status).toBe(404);
    const post = await fetchText(`${url}/snapshot.json`, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('calls next() for paths that are not its own', async () => {
    const d = dashboard({ basePath: '/dash' });
    const { url, fellThrough } = await serve(d, true);
    expect((await fetchText(`${url}/other`)).status).toBe(418);
    expect((await fetchText(`${url}/dashboard`)).status).toBe(418); // not '/dash' + '/…'
    expect((await fetchText(`${url}/dash/nope`)).status).toBe(418);
    expect(fellThrough).toEqual(['/other', '/dashboard', '/dash/nope']);
  });

  it('strips basePath on bare node:http', async () => {
    const d = dashboard({ basePath: '/dash' });
    const { url } = await serve(d);
    expect((await fetchText(`${url}/dash`)).body).toContain('<!doctype html>');
    expect((await fetchText(`${url}/dash/`)).body).toContain('<!doctype html>');
    expect(JSON.parse((await fetchText(`${url}/dash/snapshot.json`)).body)).toHaveProperty('services');
    expect((await fetchText(`${url}/snapshot.json`)).status).toBe(404);
    const s = await openStream(`${url}/dash/stream`);
    await until(() => s.frames.length > 0, 5_000, 'the first frame');
    expect(s.frames[0]!.event).toBe('snapshot');
    s.close();
  });

  it('mounts on Express (req.url already stripped of the mount path)', async () => {
    const d = dashboard();
    const app = express();
    app.use('/dashboard', d.handler);
    app.get('/health', (_req, res) => {
      res.send('ok');
    });
    const url = await listen(createServer(app));
    const page = await fetchText(`${url}/dashboard/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<!doctype html>');
    expect((await fetchText(`${url}/dashboard`)).status).toBe(200);
    expect(JSON.parse((await fetchText(`${url}/dashboard/snapshot.json`)).body)).toHaveProperty('events');
    expect((await fetchText(`${url}/dashboard/nope`)).status).toBe(404); // Express's own 404, via next()
    expect((await fetchText(`${url}/health`)).body).toBe('ok');
    const s = await openStream(`${url}/dashboard/stream`);
    await until(() => s.frames.length > 0, 5_000, 'the first frame');
    expect(s.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    s.close();
  });
});

describe('the SSE stream', () => {
  it('sends a snapshot on connect and one per tick, with the SSE headers', async () => {
    const d = dashboard();
    const { url } = await serve(d);
    const s = await openStream(`${url}/stream`);
    expect(s.res.statusCode).toBe(200);
    expect(s.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(s.res.headers['cache-control']).toContain('no-cache');
    expect(s.res.headers['x-content-type-options']).toBe('nosniff');
    await until(() => s.frames.length === 1, 5_000, 'the first frame');
    expect(s.retry).toBe(2000);
    expect(d.streams).toBe(1);
    const first = JSON.parse(s.frames[0]!.data) as DashboardSnapshot;
    expect(first.services).toBeInstanceOf(Array);
    diagnostics
      .channel('breakwater:request:end')
      .publish({ service: 'sse-svc', outcome: 'success', durationMs: 4 });
    d.tick();
    await until(() => s.frames.length === 2, 5_000, 'the second frame');
    const second = JSON.parse(s.frames[1]!.data) as DashboardSnapshot;
    expect(s.frames[1]!.event).toBe('snapshot');
    expect(second.services.find((x) => x.name === 'sse-svc')?.totals.requests).toBe(1);
    s.close();
    await until(() => d.streams === 0, 5_000, 'the stream to be dropped');
  });

  it('runs one timer only while a stream is open, and pushes every intervalMs', async () => {
    const live = new Set<unknown>();
    const realSet = globalThis.setInterval;
    const realClear = globalThis.clearInterval;
    vi.spyOn(globalThis, 'setInterval').mockImplementation(((fn: () => void, ms: number) => {
      const t = realSet(fn, ms);
      live.add(t);
      return t;
    }) as typeof setInterval);
    vi.spyOn(globalThis, 'clearInterval').mockImplementation(((t: NodeJS.Timeout) => {
      live.delete(t);
      realClear(t);
    }) as typeof clearInterval);
    const d = dashboard({ intervalMs: 20 });
    const { url } = await serve(d);
    expect(live.size).toBe(0); // no stream, no timer
    const a = await openStream(`${url}/stream`);
    const b = await openStream(`${url}/stream`);
    await until(() => a.frames.length >= 3 && b.frames.length >= 3, 10_000, 'pushed frames');
    expect(live.size).toBe(1); // one timer for both streams
    a.close();
    b.close();
    await until(() => d.streams === 0, 5_000, 'the streams to be dropped');
    expect(live.size).toBe(0);
  });

  it('refuses streams beyond maxClients with 503', async () => {
    const d = dashboard({ maxClients: 1 });
    const { url } = await serve(d);
    const a = await openStream(`${url}/stream`);
    await until(() => d.streams === 1);
    expect((await fetchText(`${url}/stream`)).status).toBe(503);
    const head = await fetchText(`${url}/stream`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(d.streams).toBe(1); // a HEAD opens no stream
    a.close();
  });
});

describe('close()', () => {
  it('ends open streams, unsubscribes every channel, clears its timer; later requests get 503', async () => {
    for (const c of CHANNELS) expect(diagnostics.hasSubscribers(c), c).toBe(false);
    const d = createDashboard({ intervalMs: 50 });
    for (const c of CHANNELS) expect(diagnostics.hasSubscribers(c), c).toBe(true);
    const { url } = await serve(d);
    const s = await openStream(`${url}/stream`);
    await until(() => s.frames.length > 0);
    const cleared = vi.spyOn(globalThis, 'clearInterval');
    await d.close();
    await s.ended;
    expect(s.res.complete).toBe(true); // ended by the server, not cut
    expect(d.streams).toBe(0);
    expect(cleared).toHaveBeenCalledTimes(1);
    for (const c of CHANNELS) expect(diagnostics.hasSubscribers(c), c).toBe(false);
    expect((await fetchText(`${url}/snapshot.json`)).status).toBe(503);
    await d.close(); // idempotent
    await d[Symbol.asyncDispose]();
  });
});

describe('options', () => {
  it('are validated at construction, naming the option', () => {
    expect(() => createDashboard({ intervalMs: 0 })).toThrow(/intervalMs/);
    expect(() => createDashboard({ intervalMs: 1.5 })).toThrow(RangeError);
    expect(() => createDashboard({ historyPoints: 1 })).toThrow(/historyPoints/);
    expect(() => createDashboard({ maxEvents: -1 })).toThrow(/maxEvents/);
    expect(() => createDashboard({ maxClients: 0 })).toThrow(/maxClients/);
    expect(() => createDashboard({ basePath: 'dash' })).toThrow(/basePath/);
    expect(() => createDashboard({ basePath: '/dash/' })).toThrow(/basePath/);
    expect(() => createDashboard({ title: 3 as unknown as string })).toThrow(TypeError);
    expect(() => createDashboard({ sources: [{} as never] })).toThrow(/sources\[0\]/);
    expect(() => createDashboard({ clock: {} as never })).toThrow(/clock/);
    // Nothing subscribed by the failed constructions.
    for (const c of CHANNELS) expect(diagnostics.hasSubscribers(c), c).toBe(false);
  });

  it('accepts and removes sources later; a source that throws is skipped', async () => {
    const d = dashboard();
    expect(() => d.addSource({} as never)).toThrow(TypeError);
    const src = {
      inspect: () => [
        {
          name: 'src-svc',
          breaker: 'half-open',
          bulkhead: { inFlight: 2, queued: 1 },
          budget: { balance: 7 },
          endpoints: [
            {
              id: 'x',
              host: '::1',
              port: 80,
              breaker: 'open',
              inflight: 3,
              latencyMs: 1,
              healthy: false,
              ejected: true,
            },
          ],
        },
      ],
    };
    d.addSource({
      inspect: () => {
        throw new Error('closed');
      },
    });
    d.addSource(src);
    const s = d.snapshot().services.find((x) => x.name === 'src-svc')!;
    expect(s).toMatchObject({
      breaker: 'half-open',
      bulkhead: { inFlight: 2, queued: 1 },
      budget: { balance: 7 },
    });
    expect(s.endpoints[0]).toMatchObject({
      address: '[::1]:80',
      breaker: 'open',
      inflight: 3,
      ejected: true,
    });
    d.removeSource(src);
    expect(d.snapshot().services.find((x) => x.name === 'src-svc')!.breaker).toBe('none');
  });
});
