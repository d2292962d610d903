import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LoadGenerator } from '../src/launcher/load-generator.js';
import { seededRandom } from '../src/launcher/random.js';
import { waitFor } from './fixtures/helpers.js';

interface Seen {
  method: string;
  url: string;
  body: string;
}

/** A stand-in frontend: a product list, and 503 for every third cart read. */
async function frontend() {
  const seen: Seen[] = [];
  let cartReads = 0;
  const server = createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const c of req as AsyncIterable<Buffer>) body += c.toString();
    seen.push({ method: req.method ?? '', url: req.url ?? '', body });
    if (req.url === '/api/products') return res.end(JSON.stringify([{ id: 'mug' }, { id: 7 }]));
    if (req.method === 'GET' && req.url?.startsWith('/api/cart/') && ++cartReads % 3 === 0) {
      res.statusCode = 503;
      return res.end();
    }
    res.end('{}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, seen, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('LoadGenerator', () => {
  it('sends the mixed requests, learns product ids, counts 2xx as success and the rest by reason', async () => {
    const f = await frontend();
    const load = new LoadGenerator({ origin: f.origin, rate: 400, random: seededRandom(3) });
    load.start();
    await waitFor(() => load.totals.requests >= 200);
    await load.close();
    f.server.close();

    const kinds = new Set(
      f.seen.map((s) =>
        s.url === '/api/products'
          ? 'list'
          : s.url.startsWith('/api/products/')
            ? 'product'
            : s.method === 'POST'
              ? 'cart-add'
              : 'cart-get',
      ),
    );
    expect(kinds).toEqual(new Set(['list', 'product', 'cart-add', 'cart-get']));
    const products = f.seen.filter((s) => s.url.startsWith('/api/products/')).map((s) => s.url);
    expect(new Set(products)).toEqual(new Set(['/api/products/mug', '/api/products/7']));
    for (const add of f.seen.filter((s) => s.method === 'POST')) {
      expect(add.url).toMatch(/^\/api\/cart\/user-\d+\/items$/);
      const body = JSON.parse(add.body) as { productId: string; quantity: number };
      expect(body.quantity).toBeGreaterThanOrEqual(1);
      expect(body.quantity).toBeLessThanOrEqual(3);
    }
    const cartReads = f.seen.filter((s) => s.method === 'GET' && s.url.startsWith('/api/cart/')).length;
    expect(load.totals.requests).toBe(f.seen.length); // close() waited for every request
    expect(load.totals.failed).toBe(Math.floor(cartReads / 3));
    expect(load.failures.get('503')).toBe(load.totals.failed);
    expect(load.totals.ok + load.totals.failed).toBe(load.totals.requests);
    expect(load.total.count).toBe(load.totals.requests);
  });

  it('is open-loop: request i is due at start + i / rate, whatever the answers', async () => {
    const f = await frontend();
    let now = 1_000;
    const due: number[] = [];
    const load = new LoadGenerator({
      origin: f.origin,
      rate: 50,
      random: seededRandom(1),
      clock: { now: () => now },
      onResult: (dueAt) => due.push(dueAt),
    });
    load.start(); // sends the request due at 1000
    now += 100; // 5 more are due: 1020 … 1100
    load.setRate(50); // re-schedules from now: sends the one due at 1100
    await waitFor(() => due.length === 2);
    expect(due.sort((a, b) => a - b)).toEqual([1_000, 1_100]);
    load.pause();
    await load.close();
    f.server.close();
  });

  it('records failures for refused connections and takes windows that reset', async () => {
    const load = new LoadGenerator({ origin: 'http://127.0.0.1:1', rate: 200, random: seededRandom(1) });
    load.start();
    await waitFor(() => load.totals.requests >= 5);
    load.pause();
    await load.drain();
    expect(load.totals.ok).toBe(0);
    expect(load.failures.get('ECONNREFUSED')).toBe(load.totals.requests);
    const w = load.takeWindow();
    expect(w.requests).toBe(load.totals.requests);
    expect(load.takeWindow()).toEqual({ requests: 0, ok: 0, failed: 0, p50Ms: 0, p99Ms: 0 });
    await load.close();
    expect(() => load.start()).toThrow(/closed/);
  });

  it('validates its options', () => {
    const base = { origin: 'http://127.0.0.1:1', random: Math.random };
    expect(() => new LoadGenerator({ ...base, rate: 0 })).toThrow(/rate must be a positive number/);
    expect(() => new LoadGenerator({ ...base, rate: 1, connections: 0 })).toThrow(/connections/);
  });
});
