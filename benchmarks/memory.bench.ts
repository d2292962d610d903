// Memory per unit of scale, in one run: per breaker (each strategy), per balancer endpoint, per
// endpoint of the HTTP client (slot, balancer state, endpoint breaker, undici Pool object — no
// sockets), against cockatiel and opossum breakers. Heap (+ array buffers) after two full GCs,
// divided by the count. Needs --expose-gc (the bench runner passes it).
import { CircuitBreaker, ConsecutiveFailures, TimeWindow } from '@breakwater/breaker';
import { createHttpClient } from '@breakwater/client';
import { StaticRegistry } from '@breakwater/discovery';
import { Balancer } from '@breakwater/loadbalance';
import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import { Dispatcher } from 'undici';
import { writeResults } from './lib/harness.js';
import { versionOf } from './lib/machine.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc (npm run bench -- memory)');

function heap(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

async function perUnit(n: number, make: (n: number) => unknown | Promise<unknown>): Promise<number> {
  const before = heap();
  const kept = await make(n);
  const after = heap();
  if (kept === undefined) throw new Error('nothing kept');
  return (after - before) / n;
}

class InstantConnection extends Dispatcher {
  override dispatch(_o: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const h = handler as unknown as {
      onConnect(a: () => void): void;
      onHeaders(s: number, r: Buffer[], resume: () => void, t: string): boolean;
      onComplete(t: Buffer[]): void;
    };
    h.onConnect(() => {});
    h.onHeaders(200, [], () => {}, 'OK');
    h.onComplete([]);
    return true;
  }
  override async close(): Promise<void> {}
  override async destroy(): Promise<void> {}
}

const rows: [string, number][] = [];
rows.push([
  'CircuitBreaker, ConsecutiveFailures',
  await perUnit(10_000, (n) =>
    Array.from({ length: n }, () => new CircuitBreaker({ strategy: new ConsecutiveFailures() })),
  ),
]);
rows.push([
  'CircuitBreaker, default (CountWindow of 100 calls)',
  await perUnit(10_000, (n) => Array.from({ length: n }, () => new CircuitBreaker())),
]);
rows.push([
  'CircuitBreaker, TimeWindow (10 buckets)',
  await perUnit(10_000, (n) =>
    Array.from({ length: n }, () => new CircuitBreaker({ strategy: new TimeWindow() })),
  ),
]);
rows.push([
  `cockatiel ${versionOf('cockatiel')} circuitBreaker(ConsecutiveBreaker(5))`,
  await perUnit(10_000, (n) =>
    Array.from({ length: n }, () =>
      circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
    ),
  ),
]);
const endpoints = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `e${i}`,
    host: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    port: 8080,
  }));
rows.push([
  'Balancer endpoint (P2C peak-EWMA + outlier detection), 10,000 endpoints',
  await perUnit(10_000, (n) => {
    const b = new Balancer({ policy: 'peak-ewma', outlierDetection: true });
    b.update(endpoints(n));
    return b;
  }),
]);
const registries: StaticRegistry[] = [];
const clients: { close(): Promise<void> }[] = [];
rows.push([
  'HTTP client endpoint (slot + balancer state + endpoint breaker; its undici Pool is created on first use), 2,000 endpoints, one used',
  await perUnit(2_000, async (n) => {
    const registry = new StaticRegistry({ svc: endpoints(n).map((e) => ({ ...e, host: '127.0.0.1' })) });
    registries.push(registry);
    const client = createHttpClient({ registry, undici: { factory: () => new InstantConnection() } });
    clients.push(client);
    const res = await client.request('svc', { path: '/' });
    await res.body.dump();
    return client;
  }),
]);
for (const c of clients) await c.close();
for (const r of registries) await r.close();

const table = [
  '| unit | bytes each |',
  '| --- | ---: |',
  ...rows.map(([k, v]) => `| ${k} | ${v.toFixed(0)} |`),
].join('\n');
console.log(`\n${table}\n`);
writeResults(
  'memory',
  'Memory per breaker, per endpoint',
  'npm run bench -- memory',
  [
    'Heap used + array buffers after two full GCs, before and after creating n units, divided by n. Memory per',
    'watched service (one parked Consul blocking query each) is in the discovery section.',
    '',
    table,
  ].join('\n'),
  {
    'memory.breaker-default.bytes': rows[1]![1],
    'memory.balancer-endpoint.bytes': rows[4]![1],
    'memory.client-endpoint.bytes': rows[5]![1],
  },
);
