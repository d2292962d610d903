// The dashboard mounted on a real Fastify 5 server under '/dashboard', as the README shows: Fastify
// does not strip the route prefix from req.raw.url, so the prefix goes in `basePath`, and the reply is
// hijacked so that Fastify leaves the raw response (and the SSE stream) to the dashboard. Also, through
// that mount, the page's own stream (`stream?view=page`: frames without histories after the first).
import diagnostics from 'node:diagnostics_channel';
import { type IncomingMessage, request } from 'node:http';
import {
  createDashboard,
  type Dashboard,
  type DashboardSnapshot,
  type DashboardSource,
} from '@breakwater/client';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { until } from './helpers/servers.js';
import { openStream } from './helpers/sse.js';

interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

// `agent: false`: one connection per request, none kept alive after the test.
function fetchText(url: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false }, (res) => {
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

/** Live TCP handles (servers and sockets) of this process. */
function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap')
    .length;
}

const source: DashboardSource = {
  inspect: () => [
    {
      name: 'catalog',
      breaker: 'closed',
      bulkhead: { inFlight: 2, queued: 0 },
      budget: { balance: 10 },
      endpoints: [
        {
          id: 'c-1',
          host: '10.0.0.1',
          port: 8080,
          breaker: 'open',
          inflight: 0,
          latencyMs: 3,
          healthy: true,
          ejected: false,
        },
      ],
    },
  ],
};

/** The README's mount: both the bare prefix and everything under it go to the dashboard. */
async function mount(dashboard: Dashboard): Promise<{ fastify: FastifyInstance; url: string }> {
  const fastify = Fastify();
  const toDashboard = (req: FastifyRequest, reply: FastifyReply): void => {
    reply.hijack();
    dashboard.handler(req.raw, reply.raw);
  };
  fastify.all('/dashboard', toDashboard);
  fastify.all('/dashboard/*', toDashboard);
  fastify.get('/health', async () => ({ ok: true }));
  const url = await fastify.listen({ port: 0, host: '127.0.0.1' });
  return { fastify, url };
}

const cleanup: (() => Promise<void>)[] = [];
let baseline = 0;
beforeEach(() => {
  baseline = tcpHandles();
});
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
  vi.restoreAllMocks();
  // No test leaves a socket behind (the peers' ends close a moment after the server's).
  await until(() => tcpHandles() <= baseline, 5_000, 'the sockets of the test to be released');
});

describe('the dashboard mounted on Fastify under /dashboard', () => {
  it('serves the page, the JSON snapshot and the SSE stream; 404 for unknown sub-paths', async () => {
    const dashboard = createDashboard({ basePath: '/dashboard', sources: [source], title: 'on fastify' });
    const { fastify, url } = await mount(dashboard);
    cleanup.push(async () => {
      await dashboard.close();
      await fastify.close();
    });

    for (const path of ['/dashboard', '/dashboard/', '/dashboard/index.html', '/dashboard?x=1']) {
      const page = await fetchText(`${url}${path}`);
      expect(page.status, path).toBe(200);
      expect(page.headers['content-type'], path).toBe('text/html; charset=utf-8');
      const csp = String(page.headers['content-security-policy']);
      expect(csp, path).toContain("default-src 'none'");
      const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
      expect(nonce, path).toBeDefined();
      expect(page.body, path).toContain(`<script nonce="${nonce}">`);
      expect(page.body, path).toContain('<title>on fastify · dashboard</title>');
    }

    const snap = await fetchText(`${url}/dashboard/snapshot.json?cache=bust`);
    expect(snap.status).toBe(200);
    expect(snap.headers['content-type']).toBe('application/json; charset=utf-8');
    const parsed = JSON.parse(snap.body) as DashboardSnapshot;
    expect(parsed.title).toBe('on fastify');
    expect(parsed.services.map((s) => s.name)).toEqual(['catalog']);
    expect(parsed.services[0]?.endpoints[0]?.breaker).toBe('open');
    expect(parsed.services[0]?.budget).toEqual({ balance: 10 });

    // Sub-paths the dashboard does not know: its own 404 (no next() once the reply is hijacked).
    for (const path of ['/dashboard/nope', '/dashboard/stream/x', '/dashboard/snapshot.json/']) {
      const r = await fetchText(`${url}${path}`);
      expect(r.status, path).toBe(404);
      expect(r.headers['content-type'], path).toBe('text/plain; charset=utf-8');
    }
    // Outside the mount, Fastify's own routing still answers.
    expect((await fetchText(`${url}/dashboardx`)).status).toBe(404);
    expect(JSON.parse((await fetchText(`${url}/health`)).body)).toEqual({ ok: true });
    // Other methods reach the dashboard too, which refuses them.
    const post = await fetchText(`${url}/dashboard/snapshot.json`, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const head = await fetchText(`${url}/dashboard/snapshot.json`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');

    const s = await openStream(`${url}/dashboard/stream`, { agent: false });
    expect(s.res.statusCode).toBe(200);
    expect(s.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await until(() => s.frames.length > 0, 5_000, 'the first SSE frame');
    expect(s.retry).toBe(2000);
    const first = s.frames[0];
    expect(first?.event).toBe('snapshot');
    const frame = JSON.parse(first?.data ?? '') as DashboardSnapshot;
    expect(frame.title).toBe('on fastify');
    expect(frame.services[0]?.name).toBe('catalog');
    expect(dashboard.streams).toBe(1);
    // tick() pushes to the stream opened through Fastify.
    dashboard.tick();
    await until(() => s.frames.length > 1, 5_000, 'a pushed frame');
    expect(s.frames[1]?.event).toBe('snapshot');
  });

  it('dashboard.close() then fastify.close() end the open stream, clear the timer, leave no socket', async () => {
    const before = tcpHandles();
    // The push timer is unref'd, so getActiveResourcesInfo() does not list it: follow it by its handle.
    const started = vi.spyOn(globalThis, 'setInterval');
    const cleared = vi.spyOn(globalThis, 'clearInterval');
    const dashboard = createDashboard({ basePath: '/dashboard', intervalMs: 50 });
    const { fastify, url } = await mount(dashboard);
    cleanup.push(async () => {
      await dashboard.close();
      if (fastify.server.listening) await fastify.close();
    });
    const s = await openStream(`${url}/dashboard/stream`, { agent: false });
    await until(() => s.frames.length >= 2, 5_000, 'two frames (the push timer runs)');
    expect(dashboard.streams).toBe(1);
    expect(tcpHandles()).toBeGreaterThanOrEqual(before + 3); // server, its side of the stream, ours
    expect(started).toHaveBeenCalledTimes(1);
    const timer = started.mock.results[0]?.value as NodeJS.Timeout;

    await dashboard.close();
    await s.ended;
    expect(s.res.complete).toBe(true); // ended by the server, not cut
    expect(dashboard.streams).toBe(0);
    expect(cleared).toHaveBeenCalledWith(timer);
    // With the stream ended, Fastify's close does not wait on a hijacked response.
    await fastify.close();
    expect(fastify.server.listening).toBe(false);
    await expect(fetchText(`${url}/dashboard/snapshot.json`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // Every socket (the server's, both ends of every connection) is gone.
    await until(() => tcpHandles() <= before, 5_000, 'the sockets to be released');
    expect(tcpHandles()).toBe(before);
  });
});

describe("the page's stream (stream?view=page), through the Fastify mount", () => {
  it('sends the full snapshot first, then frames without histories that extend them exactly', async () => {
    const clock = { t: 1_700_000_000_000, now: () => clock.t };
    const dashboard = createDashboard({
      basePath: '/dashboard',
      sources: [source],
      clock,
      historyPoints: 4,
      intervalMs: 3_600_000, // no timer push during the test: tick() drives every frame
    });
    const { fastify, url } = await mount(dashboard);
    cleanup.push(async () => {
      await dashboard.close();
      await fastify.close();
    });
    const end = diagnostics.channel('breakwater:request:end');
    const attempt = diagnostics.channel('breakwater:attempt:end');
    const traffic = (k: number): void => {
      for (let i = 0; i < k; i++) {
        const outcome = i % 3 === 0 ? 'failure' : 'success';
        end.publish({ service: 'catalog', outcome, durationMs: 1 + i * k });
        attempt.publish({ service: 'catalog', endpoint: 'c-1', outcome, durationMs: 2 + i * k });
      }
    };
    for (let k = 1; k <= 3; k++) {
      traffic(k);
      clock.t += 1000;
      dashboard.tick(); // histories of 3 points before any stream opens
    }
    const page = await openStream(`${url}/dashboard/stream?view=page`, { agent: false });
    const full = await openStream(`${url}/dashboard/stream`, { agent: false });
    const other = await openStream(`${url}/dashboard/stream?view=other#x`, { agent: false });
    await until(() => page.frames.length === 1 && full.frames.length === 1 && other.frames.length === 1);
    const parse = (f: { data: string } | undefined): Record<string, unknown> => JSON.parse(f?.data ?? 'null');
    // The first frame of every stream is the full snapshot.
    const first = parse(page.frames[0]) as unknown as DashboardSnapshot;
    expect(first.services[0]?.history.p99Ms).toHaveLength(3);
    expect(first.services[0]?.endpoints[0]?.history.p99Ms).toHaveLength(3);
    expect(first).toEqual(parse(full.frames[0]));

    // The page keeps its own histories: from the first frame, each later frame appends its figures.
    const service = structuredClone(first.services[0]!.history);
    const endpoint = structuredClone(first.services[0]!.endpoints[0]!.history.p99Ms);
    const keep = (xs: number[], v: number): void => {
      xs.push(v);
      if (xs.length > 4) xs.splice(0, xs.length - 4);
    };
    for (let k = 4; k <= 7; k++) {
      traffic(k);
      clock.t += 1000;
      dashboard.tick();
      await until(
        () => page.frames.length === k - 2 && full.frames.length === k - 2 && other.frames.length === k - 2,
      );
      const p = parse(page.frames.at(-1));
      const f = parse(full.frames.at(-1)) as unknown as DashboardSnapshot;
      expect(parse(other.frames.at(-1))).toEqual(f); // an unknown view gets full snapshots
      expect(p.historyPoints).toBe(4);
      const ps = (p.services as Record<string, unknown>[])[0]!;
      const pe = (ps.endpoints as Record<string, unknown>[])[0]!;
      expect(ps).not.toHaveProperty('history');
      expect(pe).not.toHaveProperty('history');
      // Everything else is the full snapshot's.
      const { history: fh, endpoints: fes, ...fRest } = f.services[0]!;
      const { history: feh, ...feRest } = fes[0]!;
      const { endpoints: _pes, ...pRest } = ps;
      expect(pRest).toEqual(fRest);
      expect(pe).toEqual(feRest);
      expect({ ...p, services: [], historyPoints: undefined }).toEqual({
        ...f,
        services: [],
        historyPoints: undefined,
      });
      // And the histories the page extends are the ones the full snapshot carries.
      keep(service.rate, fRest.rate);
      keep(service.successRate, fRest.successRate);
      keep(service.p50Ms, fRest.p50Ms);
      keep(service.p99Ms, fRest.p99Ms);
      keep(endpoint, feRest.p99Ms);
      expect(service).toEqual(fh);
      expect(endpoint).toEqual(feh.p99Ms);
    }
    // The page frame is the smaller one.
    expect(page.frames.at(-1)!.data.length).toBeLessThan(full.frames.at(-1)!.data.length);
  });
});
