// Discovery against real registries (started here, like the tests): change → new snapshot latency
// for etcd (pushed by a watch) and DNS SRV (bound by the refresh interval), and the cost of one
// lookup, each anchored on a plain round trip to the same server in the same run.
import { promises as dns } from 'node:dns';
import { DnsSrvRegistry, EtcdRegistry, type Snapshot } from '@breakwater/discovery';
import { Etcd3 } from 'etcd3';
import { Dnsmasq, type DnsZone } from '../packages/discovery/test/servers/dnsmasq.js';
import { EtcdServer } from '../packages/discovery/test/servers/etcd.js';
import { median, quantile, suite, suiteTable, writeResults } from './lib/harness.js';

const ms = (x: number) => x.toFixed(2);

function latencyRow(name: string, xs: number[]): string {
  return `| ${name} | ${xs.length} | ${ms(median(xs))} | ${ms(quantile(xs, 0.9))} | ${ms(quantile(xs, 0.99))} | ${ms(Math.max(...xs))} |`;
}
const LATENCY_HEAD = [
  '| measure | n | median ms | p90 ms | p99 ms | max ms |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
];

/** Resolves on the first snapshot matching pred. */
function waiter(registry: { watch: EtcdRegistry['watch'] }, service: string) {
  let pending: { pred: (s: Snapshot) => boolean; resolve: (t: number) => void } | undefined;
  const dispose = registry.watch(service, (e) => {
    if (e.type === 'endpoints' && pending?.pred(e.endpoints)) {
      const p = pending;
      pending = undefined;
      p.resolve(performance.now());
    }
  });
  return {
    dispose,
    next: (pred: (s: Snapshot) => boolean) => new Promise<number>((resolve) => (pending = { pred, resolve })),
  };
}

async function etcdBench(): Promise<string> {
  const server = await EtcdServer.start();
  const admin = new Etcd3({ hosts: server.endpoint });
  const registry = new EtcdRegistry({ hosts: server.endpoint });
  try {
    const key = (i: number) => `/services/bench/i${i % 10}`;
    const value = (i: number) => JSON.stringify({ host: '10.0.0.1', port: 1000 + i });
    for (let i = 0; i < 10; i++) await admin.put(key(i)).value(value(i));
    const w = waiter(registry, 'bench');
    await w.next((s) => s.length === 10);
    const propagation: number[] = [];
    const putRtt: number[] = [];
    for (let i = 10; i < 310; i++) {
      const next = w.next((s) => s.some((e) => e.port === 1000 + i));
      const t0 = performance.now();
      await admin.put(key(i)).value(value(i));
      putRtt.push(performance.now() - t0);
      propagation.push((await next) - t0);
    }
    w.dispose();
    const cost = await suite(
      'etcd: one lookup of a 10-instance service',
      [
        {
          name: 'etcd3 range read (getAll().prefix().exec()) — anchor',
          async: true,
          fn: () => admin.getAll().prefix('/services/bench/').exec(),
        },
        {
          name: 'EtcdRegistry.resolve (unwatched: range read + parse + snapshot)',
          async: true,
          fn: () => registry.resolve('bench'),
        },
      ],
      { rounds: 10, batchMs: 40, allocOps: 500 },
    );
    return [
      '### etcd (real etcd 3.4, one member, 127.0.0.1)',
      '',
      'A put, then the watcher’s new snapshot (watch stream push); anchor: the put’s own round trip.',
      '',
      ...LATENCY_HEAD,
      latencyRow('put → new snapshot at the watcher', propagation),
      latencyRow('anchor: put round trip (await put)', putRtt),
      '',
      `Median propagation / median put round trip: ${(median(propagation) / median(putRtt)).toFixed(2)}×.`,
      '',
      suiteTable('etcd: one lookup of a 10-instance service', cost),
    ].join('\n');
  } finally {
    await registry.close();
    admin.close();
    await server.close();
  }
}

const NAME = '_http._tcp.bench.default.svc.cluster.local';
function zone(version: number): DnsZone {
  return {
    ttl: 1,
    srv: [
      { name: NAME, target: 'p1.cluster.local', port: 8000 + version, priority: 0, weight: 1 },
      { name: NAME, target: 'p2.cluster.local', port: 8000 + version, priority: 0, weight: 1 },
    ],
    hosts: { 'p1.cluster.local': ['10.0.0.1'], 'p2.cluster.local': ['10.0.0.2'] },
  };
}

async function dnsBench(): Promise<string> {
  const server = await Dnsmasq.start(zone(0));
  const rows: string[] = [];
  try {
    const anchorResolver = new dns.Resolver({ timeout: 1_000, tries: 1 });
    anchorResolver.setServers([server.address]);
    for (const refreshMs of [100, 500]) {
      const registry = new DnsSrvRegistry({
        servers: [server.address],
        srvName: () => NAME,
        minTtlMs: refreshMs,
        maxTtlMs: refreshMs,
      });
      const w = waiter(registry, 'bench');
      await w.next(() => true);
      const propagation: number[] = [];
      for (let v = 1; v <= 25; v++) {
        const version = refreshMs * 100 + v;
        // A random phase: changes are not aligned with the refresh loop (which the previous change
        // would otherwise have synchronised us with).
        await new Promise((r) => setTimeout(r, Math.random() * refreshMs));
        const next = w.next((s) => s.some((e) => e.port === 8000 + version));
        await server.setZone(zone(version)); // resolves once the new records are served
        const t0 = performance.now();
        propagation.push((await next) - t0);
      }
      w.dispose();
      await registry.close();
      rows.push(latencyRow(`records changed → new snapshot, refresh every ${refreshMs} ms`, propagation));
    }
    const registry = new DnsSrvRegistry({ servers: [server.address], srvName: () => NAME, family: 4 });
    const registryAny = new DnsSrvRegistry({ servers: [server.address], srvName: () => NAME });
    const cost = await suite(
      'DNS: one lookup (2 SRV targets)',
      [
        {
          name: 'Resolver.resolveSrv alone — anchor',
          async: true,
          fn: () => anchorResolver.resolveSrv(NAME),
        },
        {
          name: 'DnsSrvRegistry.resolve, family 4 (SRV + 2 × A)',
          async: true,
          fn: () => registry.resolve('bench'),
        },
        {
          name: "DnsSrvRegistry.resolve, family 'any' (SRV + 2 × A + 2 × AAAA)",
          async: true,
          fn: () => registryAny.resolve('bench'),
        },
      ],
      { rounds: 10, batchMs: 40, allocOps: 500 },
    );
    await registry.close();
    await registryAny.close();
    return [
      '### DNS SRV (real dnsmasq, 127.0.0.1)',
      '',
      'Records changed (dnsmasq restarted with the new zone; timing starts once it answers), then the',
      'watcher’s new snapshot, at a random phase of the refresh loop. Polling: the expected delay is about half',
      'the refresh interval plus one lookup; a refresh that hits the restart window fails and backs off.',
      '',
      ...LATENCY_HEAD,
      ...rows,
      '',
      suiteTable('DNS: one lookup (2 SRV targets)', cost),
    ].join('\n');
  } finally {
    await server.close();
  }
}

const etcd = await etcdBench();
const dnsPart = await dnsBench();
console.log(`\n${etcd}\n\n${dnsPart}\n`);
writeResults(
  'discovery-registries',
  'Discovery on real registries: etcd and DNS SRV (@breakwater/discovery)',
  'npx tsc -b packages/discovery && node scripts/run-benchmarks.mjs discovery-registries',
  [
    'Servers started by the benchmark on 127.0.0.1 (Debian etcd-server 3.4, dnsmasq-base); client in the same process.',
    '',
    etcd,
    '',
    dnsPart,
  ].join('\n'),
);
