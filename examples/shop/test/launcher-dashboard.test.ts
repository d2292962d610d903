import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DashboardPoller } from '../src/launcher/dashboard-poller.js';
import { readSnapshot } from '../src/launcher/dashboard-snapshot.js';
import { instanceForAddress, serviceRows } from '../src/launcher/service-rows.js';

const SNAPSHOT = {
  at: 1_700_000_000_000,
  intervalMs: 1000,
  services: [
    {
      name: 'catalog',
      rate: 10,
      successRate: 1,
      p50Ms: 1,
      p99Ms: 2,
      retries: 3,
      hedges: 0,
      budgetExhausted: 0,
      totals: {
        requests: 9,
        successes: 9,
        failures: 0,
        retries: 7,
        hedges: 0,
        budgetExhausted: 0,
        breakerTransitions: 2,
        ejections: 1,
      },
      breaker: 'closed',
      bulkhead: null,
      budget: { balance: 3 },
      history: { rate: [], successRate: [], p50Ms: [], p99Ms: [] },
      endpoints: [
        { id: 'a', address: '127.0.0.1:7001', breaker: 'open', ejected: true, healthy: false, inflight: 0 },
        {
          id: 'b',
          address: '127.0.0.1:7002',
          breaker: 'half-open',
          ejected: false,
          healthy: true,
          inflight: 1,
        },
      ],
    },
  ],
  events: [
    {
      at: 1_700_000_000_000,
      service: 'catalog',
      endpoint: '127.0.0.1:7001',
      kind: 'breaker',
      detail: 'closed → open',
    },
  ],
};

describe('readSnapshot', () => {
  it('reads the fields the launcher shows', () => {
    const v = readSnapshot(SNAPSHOT);
    expect(v?.services[0]).toEqual({
      name: 'catalog',
      breaker: 'closed',
      retries: 3,
      totals: { retries: 7, breakerTransitions: 2, ejections: 1 },
      endpoints: [
        { address: '127.0.0.1:7001', breaker: 'open', ejected: true },
        { address: '127.0.0.1:7002', breaker: 'half-open', ejected: false },
      ],
    });
    expect(v?.events).toEqual([
      {
        at: 1_700_000_000_000,
        service: 'catalog',
        endpoint: '127.0.0.1:7001',
        kind: 'breaker',
        detail: 'closed → open',
      },
    ]);
  });

  it('is tolerant: junk is undefined, missing fields get neutral values', () => {
    expect(readSnapshot(null)).toBeUndefined();
    expect(readSnapshot({ services: 'x' })).toBeUndefined();
    expect(readSnapshot({ services: [{ endpoints: [{ id: '127.0.0.1:1' }] }, 7] })).toEqual({
      at: 0,
      intervalMs: 1000,
      services: [
        {
          name: '?',
          breaker: 'none',
          retries: 0,
          totals: { retries: 0, breakerTransitions: 0, ejections: 0 },
          endpoints: [{ address: '127.0.0.1:1', breaker: 'none', ejected: false }],
        },
        {
          name: '?',
          breaker: 'none',
          retries: 0,
          totals: { retries: 0, breakerTransitions: 0, ejections: 0 },
          endpoints: [],
        },
      ],
      events: [],
    });
  });
});

describe('serviceRows', () => {
  const instances = [
    { id: 'catalog-1', service: 'catalog', port: 7001, up: true },
    { id: 'catalog-2', service: 'catalog', port: 7002, up: true },
    { id: 'catalog-3', service: 'catalog', port: 7003, up: false },
    { id: 'cart-1', service: 'cart', port: 7101, up: true },
  ];

  it('matches dashboard endpoints to instances by port', () => {
    expect(serviceRows(['catalog', 'cart'], instances, readSnapshot(SNAPSHOT))).toEqual([
      {
        name: 'catalog',
        breaker: 'closed',
        instances: [
          { id: 'catalog-1', up: true, breaker: 'open', ejected: true },
          { id: 'catalog-2', up: true, breaker: 'half-open', ejected: false },
          { id: 'catalog-3', up: false, breaker: undefined, ejected: undefined },
        ],
      },
      {
        name: 'cart',
        breaker: undefined,
        instances: [{ id: 'cart-1', up: true, breaker: undefined, ejected: undefined }],
      },
    ]);
  });

  it('leaves breaker states unknown without a dashboard', () => {
    const [row] = serviceRows(['catalog'], instances, undefined);
    expect(row?.instances.map((i) => i.breaker)).toEqual([undefined, undefined, undefined]);
  });

  it('names endpoint addresses by instance', () => {
    expect(instanceForAddress(instances, '127.0.0.1:7002')).toBe('catalog-2');
    expect(instanceForAddress(instances, 'localhost:7101')).toBe('cart-1');
    expect(instanceForAddress(instances, '127.0.0.1:9')).toBeUndefined();
    expect(instanceForAddress(instances, undefined)).toBeUndefined();
  });
});

describe('DashboardPoller', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.close();
    if (server?.listening) await once(server, 'close');
    server = undefined;
  });

  async function serve(answers: Array<[number, string]>): Promise<string> {
    let i = 0;
    server = createServer((req, res) => {
      const [status, body] = answers[Math.min(i++, answers.length - 1)]!;
      expect(req.url).toBe('/dashboard/snapshot.json');
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('keeps the last good snapshot, reports problems, and collects each dashboard event once', async () => {
    const good = JSON.stringify(SNAPSHOT);
    const origin = await serve([
      [404, '{}'],
      [200, good],
      [200, good],
      [200, 'not json'],
    ]);
    const poller = new DashboardPoller({ origin });
    await poller.poll();
    expect([poller.latest, poller.problem]).toEqual([undefined, '404']);
    await poller.poll();
    await poller.poll();
    expect(poller.latest?.services[0]?.name).toBe('catalog');
    expect(poller.problem).toBeUndefined();
    expect(poller.events).toHaveLength(1); // the same event in two snapshots
    await poller.poll();
    expect(poller.latest).toBeUndefined();
    expect(poller.problem).toMatch(/JSON/);
    expect(poller.lastGood?.services[0]?.name).toBe('catalog');
    await poller.close();
  });

  it('rides out a refused connection, polls on its own after start(), and stops on close()', async () => {
    const refused = new DashboardPoller({ origin: 'http://127.0.0.1:1' });
    await refused.poll();
    expect(refused.problem).toBe('ECONNREFUSED');
    await refused.close();

    const origin = await serve([[200, JSON.stringify(SNAPSHOT)]]);
    const poller = new DashboardPoller({ origin, intervalMs: 10 });
    let requests = 0;
    server?.on('request', () => requests++);
    poller.start();
    const deadline = performance.now() + 10_000;
    while (requests < 3 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(requests).toBeGreaterThanOrEqual(3);
    await poller.close();
    const after = requests;
    // A poll already sent may still land; nothing is scheduled after close() resolved.
    await new Promise((r) => setImmediate(r));
    expect(requests).toBe(after);
    expect(() => new DashboardPoller({ origin, intervalMs: 0 })).toThrow(/intervalMs/);
  });
});
