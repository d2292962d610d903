// Discovery benchmarks, against the Consul simulator (@breakwater/discovery/testkit):
// 1. propagation: time from a registration change (the index moving) to the watcher's new snapshot,
//    anchored on one plain HTTP round trip to the same simulator;
// 2. memory per watched service (heap delta over 1,000 watched services / 1,000), with the simulator
//    in a worker thread so its heap is not counted;
// 3. per-answer CPU: parsing a health answer and comparing snapshots, anchored on JSON.parse.
import { Worker } from 'node:worker_threads';
import {
  ConsulClient,
  ConsulRegistry,
  parseHealthEntries,
  type Snapshot,
  sameSnapshot,
} from '@breakwater/discovery';
import { ConsulSimulator } from '@breakwater/discovery/testkit';
import { median, quantile, suite, suiteTable, writeResults } from './lib/harness.js';

const gc = (globalThis as { gc?: () => void }).gc;

// The simulator for the memory benchmark runs in a worker thread (its own heap), loaded from dist.
const WORKER_SOURCE = (testkitUrl: string) => `
const { parentPort } = require('node:worker_threads');
import(${JSON.stringify(testkitUrl)}).then(async ({ ConsulSimulator }) => {
  const sim = await ConsulSimulator.start();
  parentPort.on('message', async (msg) => {
    if (msg.type === 'wait-parked') {
      await sim.waitForParked(msg.count);
      parentPort.postMessage({ type: 'parked' });
    } else if (msg.type === 'close') {
      await sim.close();
      parentPort.close();
    }
  });
  parentPort.postMessage({ type: 'address', address: sim.address });
});
`;

/** Headline figures for benchmarks/results/discovery.json. */
const metrics: Record<string, number> = {};

function fmtMs(ms: number): string {
  return ms.toFixed(2);
}

async function propagation(): Promise<string> {
  const sim = await ConsulSimulator.start();
  const registry = new ConsulRegistry({ connection: { address: sim.address } });
  const client = new ConsulClient({ address: sim.address });
  const changes = 200;
  let resolveNext: ((s: Snapshot) => void) | undefined;
  const dispose = registry.watch('bench', (e) => {
    if (e.type === 'endpoints') resolveNext?.(e.endpoints);
  });
  const nextSnapshot = () => new Promise<Snapshot>((r) => (resolveNext = r));
  sim.state.register({ Name: 'bench', ID: 'base', Port: 1 });
  await sim.waitForParked(1, 'bench');

  // (a) The index moves inside the simulator while the watcher is parked in a blocking query.
  const direct: number[] = [];
  for (let i = 0; i < changes; i++) {
    await sim.waitForParked(1, 'bench');
    const next = nextSnapshot();
    const t0 = performance.now();
    if (i % 2 === 0) sim.state.register({ Name: 'bench', ID: 'flap', Port: 2 });
    else sim.state.deregister('flap');
    await next;
    direct.push(performance.now() - t0);
  }
  // (b) End to end through the agent API: PUT /v1/agent/service/register, then the watcher's snapshot.
  const viaApi: number[] = [];
  for (let i = 0; i < changes; i++) {
    await sim.waitForParked(1, 'bench');
    const next = nextSnapshot();
    const t0 = performance.now();
    if (i % 2 === 0) {
      await client.request({
        method: 'PUT',
        path: '/v1/agent/service/register',
        body: { Name: 'bench', ID: 'flap', Port: 2 },
      });
    } else {
      await client.request({ method: 'PUT', path: '/v1/agent/service/deregister/flap' });
    }
    await next;
    viaApi.push(performance.now() - t0);
  }
  // Anchor: one non-blocking read of the same endpoint (a single HTTP round trip + parse).
  const roundTrip: number[] = [];
  for (let i = 0; i < changes; i++) {
    const t0 = performance.now();
    await client.request({ method: 'GET', path: '/v1/health/service/bench' });
    roundTrip.push(performance.now() - t0);
  }
  dispose();
  await registry.close();
  await client.close();
  await sim.close();

  const anchor = median(roundTrip);
  const row = (name: string, xs: number[]) =>
    `| ${name} | ${fmtMs(median(xs))} | ${fmtMs(quantile(xs, 0.99))} | ${fmtMs(Math.max(...xs))} | ${(median(xs) / anchor).toFixed(2)}× |`;
  const table = [
    `### Change → watcher snapshot (${changes} changes each, default ConsulRegistry options)`,
    '',
    '| case | median ms | p99 ms | max ms | median vs one round trip |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('one non-blocking GET /v1/health/service (anchor)', roundTrip),
    row('index moves in the simulator → new snapshot', direct),
    row('PUT /v1/agent/service/register or deregister → new snapshot', viaApi),
  ].join('\n');
  metrics['discovery.change-to-snapshot.medianMs'] = median(direct);
  metrics['discovery.change-to-snapshot.p99Ms'] = quantile(direct, 0.99);
  console.log(`\n${table}\n`);
  return table;
}

async function memory(): Promise<string> {
  const services = 1_000;
  const worker = new Worker(WORKER_SOURCE(import.meta.resolve('@breakwater/discovery/testkit')), {
    eval: true,
    execArgv: [],
  });
  const message = (type: string) =>
    new Promise<{ address?: string }>((resolve) => {
      const on = (m: { type: string; address?: string }) => {
        if (m.type === type) {
          worker.off('message', on);
          resolve(m);
        }
      };
      worker.on('message', on);
    });
  const { address } = await message('address');
  gc?.();
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const registry = new ConsulRegistry({ connection: { address: address! } });
  let snapshots = 0;
  let allSeen!: () => void;
  const seen = new Promise<void>((r) => (allSeen = r));
  const disposers: (() => void)[] = [];
  for (let i = 0; i < services; i++) {
    disposers.push(
      registry.watch(`svc-${i}`, (e) => {
        if (e.type === 'endpoints' && ++snapshots === services) allSeen();
      }),
    );
  }
  await seen;
  const parked = message('parked');
  worker.postMessage({ type: 'wait-parked', count: services });
  await parked;
  gc?.();
  gc?.();
  const after = process.memoryUsage().heapUsed;
  const perService = (after - before) / services;
  metrics['discovery.bytesPerWatchedService'] = perService;
  for (const d of disposers) d();
  await registry.close();
  worker.postMessage({ type: 'close' });
  await new Promise((r) => worker.once('exit', r));
  const text = [
    `### Memory per watched service`,
    '',
    `${services} services watched on one ConsulRegistry, each parked in its own blocking query (one HTTP/1.1`,
    `connection per watch, as Consul's long polling requires); heap delta / ${services}, simulator in a worker thread`,
    `so its heap is not counted${gc ? '' : ' (run without --expose-gc: figure is noisy)'}:`,
    '',
    `| watched services | heap delta | per watched service |`,
    '| ---: | ---: | ---: |',
    `| ${services} | ${((after - before) / 1024).toFixed(0)} KiB | ${(perService / 1024).toFixed(2)} KiB |`,
  ].join('\n');
  console.log(`\n${text}\n`);
  return text;
}

async function cpu(): Promise<string> {
  const body = Array.from({ length: 10 }, (_, i) => ({
    Node: { Node: `n${i}`, Address: `10.0.0.${i}` },
    Service: {
      ID: `api-${i}`,
      Service: 'api',
      Address: '',
      Port: 8000 + i,
      Tags: ['v1'],
      Meta: { zone: 'a' },
      Weights: { Passing: 1, Warning: 1 },
    },
    Checks: [
      { CheckID: 'serfHealth', Status: 'passing' },
      { CheckID: `service:api-${i}`, Status: 'passing' },
    ],
  }));
  const text = JSON.stringify(body);
  const opts = { includeWarning: false, zoneMetaKey: 'zone' };
  const a = parseHealthEntries(body, opts);
  const b = parseHealthEntries(body, opts);
  let sink: unknown;
  const results = await suite('Per answer: parse 10 health entries, compare snapshots', [
    { name: 'JSON.parse of the 10-entry answer (anchor)', fn: () => (sink = JSON.parse(text)) },
    {
      name: 'parseHealthEntries (10 entries → frozen snapshot)',
      fn: () => (sink = parseHealthEntries(body, opts)),
    },
    { name: 'sameSnapshot (10 equal endpoints, dedup check)', fn: () => (sink = sameSnapshot(a, b)) },
  ]);
  void sink;
  return suiteTable('Per answer: parse 10 health entries, compare snapshots', results);
}

async function main(): Promise<void> {
  const latency = await propagation();
  const mem = await memory();
  const perAnswer = await cpu();
  writeResults(
    'discovery',
    'Discovery (@breakwater/discovery)',
    'npx tsc -b packages/discovery && node scripts/run-benchmarks.mjs discovery',
    [
      "Against the Consul simulator on 127.0.0.1 (it models Consul's HTTP API; it is not Consul), same process",
      'for latency. Goal: a new snapshot < 100 ms after the index changes.',
      '',
      latency,
      '',
      mem,
      '',
      perAnswer,
    ].join('\n'),
    metrics,
  );
}

await main();
