// The live dashboard's cost: (1) what its channel subscribers add to every call of the full HTTP
// pipeline, with no I/O (in-memory connection) and over loopback to a server in another process,
// the same client measured with and without a dashboard in the same interleaved rounds; (2) the
// time to build (and serialize) a snapshot of 50 services × 20 endpoints.
import diagnostics from 'node:diagnostics_channel';
import {
  createDashboard,
  createHttpClient,
  type Dashboard,
  type DashboardSource,
  type ServiceInspection,
} from '@breakwater/client';
import { StaticRegistry } from '@breakwater/discovery';
import { Pool } from 'undici';
import { startUpstream } from './http/upstream.js';
import { fullPipelinePolicy } from './lib/full-policy.js';
import { type CaseResult, suite, suiteTable, writeResults } from './lib/harness.js';
import { completedCalls, countingHandler, instantFactory } from './lib/instant-connection.js';

const handler = countingHandler;
const policy = fullPipelinePolicy();

// The dashboard subscribes process-wide: each case makes sure it is (or is not) subscribed before its
// batch. Creating or closing one costs microseconds, once per batch of thousands of calls.
let dashboard: Dashboard | undefined;
function withDashboard(): void {
  dashboard ??= createDashboard();
}
function withoutDashboard(): void {
  if (dashboard !== undefined) {
    void dashboard.close();
    dashboard = undefined;
  }
}
const subscribed = (): boolean => diagnostics.hasSubscribers('breakwater:attempt:end');

// 1. The subscribers alone: the two messages every call publishes (request:end, attempt:end), with no
// subscriber (the client skips building them), with no-op subscribers (the cost of diagnostics_channel and of
// building the messages: any listener pays it), and with the dashboard's collector.
const endCh = diagnostics.channel('breakwater:request:end');
const attemptCh = diagnostics.channel('breakwater:attempt:end');
let noopOn = false;
const noopListener = (): void => {};
function noops(on: boolean): void {
  if (on === noopOn) return;
  noopOn = on;
  for (const name of ['breakwater:request:end', 'breakwater:attempt:end']) {
    if (on) diagnostics.subscribe(name, noopListener);
    else diagnostics.unsubscribe(name, noopListener);
  }
}
let tickN = 0;
function publishCall(): void {
  // What the client does at the end of a call: build each message only when someone listens.
  const ms = 0.5 + (tickN++ & 15);
  if (attemptCh.hasSubscribers) {
    attemptCh.publish({
      service: 'echo',
      endpoint: '127.0.0.1:9',
      attempt: 1,
      outcome: 'success',
      statusCode: 200,
      error: undefined,
      durationMs: ms,
    });
  }
  if (endCh.hasSubscribers) {
    endCh.publish({
      service: 'echo',
      method: 'GET',
      path: '/',
      outcome: 'success',
      statusCode: 200,
      error: undefined,
      attempts: 1,
      durationMs: ms,
    });
  }
}
const subscribers = await suite(
  'Per call, the channel messages alone: none, no-op subscribers, the dashboard',
  [
    {
      name: 'no subscriber (baseline)',
      fn: () => {
        noops(false);
        if (dashboard !== undefined) withoutDashboard();
        publishCall();
      },
    },
    {
      name: 'no-op subscribers (anchor: channel + message cost)',
      fn: () => {
        if (dashboard !== undefined) withoutDashboard();
        noops(true);
        publishCall();
      },
    },
    {
      name: 'dashboard collector',
      fn: () => {
        noops(false);
        if (dashboard === undefined) withDashboard();
        publishCall();
      },
    },
  ],
  { rounds: 21 },
);
noops(false);
withoutDashboard();

// 2. The full pipeline, without then with a dashboard, each phase against raw undici measured in the same
// rounds (the anchor): subscribing flips node:diagnostics_channel's channel objects to another class, so
// toggling it batch by batch would measure deoptimizations, not the dashboard. One flip between phases.
const memRegistry = new StaticRegistry({ echo: ['127.0.0.1:9'] });
const mem = createHttpClient({
  registry: memRegistry,
  undici: { factory: instantFactory },
  services: { echo: policy },
});
const rawMem = new Pool('http://127.0.0.1:9', { factory: instantFactory });
const rawMemOpts = { path: '/', method: 'GET' as const };
const memOpts = { origin: 'http://echo', path: '/', method: 'GET' as const };
const memD = mem.dispatcher;

const upstream = await startUpstream();
const netRegistry = new StaticRegistry({ echo: [`127.0.0.1:${upstream.port}`] });
const net = createHttpClient({ registry: netRegistry, services: { echo: policy } });
const rawNet = new Pool(`http://127.0.0.1:${upstream.port}`);
const call = async (): Promise<void> => {
  const res = await net.request('echo', { path: '/' });
  await res.body.dump();
};
const rawCall = async (): Promise<void> => {
  const res = await rawNet.request({ path: '/', method: 'GET' });
  await res.body.dump();
};
for (let i = 0; i < 2000; i++) {
  await call(); // connections and JIT
  await rawCall();
}

async function phase(label: string): Promise<{ mem: CaseResult[]; net: CaseResult[] }> {
  const m = await suite(
    `In-memory connection (no I/O), ${label}`,
    [
      { name: 'raw undici Pool.dispatch (anchor)', fn: () => rawMem.dispatch(rawMemOpts, handler) },
      { name: `full pipeline, ${label}`, fn: () => memD.dispatch(memOpts, handler) },
    ],
    { rounds: 21 },
  );
  const n = await suite(
    `Loopback (server in another process), c = 1, ${label}`,
    [
      { name: 'raw undici Pool.request (anchor)', async: true, fn: rawCall },
      { name: `full pipeline, ${label}`, async: true, fn: call },
    ],
    { rounds: 15, allocOps: 2_000 },
  );
  return { mem: m, net: n };
}
withoutDashboard();
const without = await phase('no dashboard');
withDashboard();
if (!subscribed()) throw new Error('the dashboard is not subscribed');
const withDash = await phase('dashboard subscribed');
withoutDashboard();
if (subscribed()) throw new Error('the dashboard is still subscribed');
if (completedCalls() === 0) throw new Error('no request completed');
await net.close();
await netRegistry.close();
await rawNet.close();
await upstream.close();
await mem.close();
await memRegistry.close();
await rawMem.close();

/** The pipeline's cost over its anchor, ns, and its speed relative to the anchor. */
const over = (r: CaseResult[]): number => r[1]!.medianNs - r[0]!.medianNs;
const rel = (r: CaseResult[]): number => r[1]!.ratio;

// 3. A snapshot of 50 services × 20 endpoints, each with a full history.
const SERVICES = 50;
const ENDPOINTS = 20;
const clock = { t: 0, now: () => clock.t };
const inspections: ServiceInspection[] = [];
for (let s = 0; s < SERVICES; s++) {
  const name = `svc-${s}`;
  inspections.push({
    name,
    breaker: 'closed',
    bulkhead: { inFlight: 3, queued: 0 },
    budget: { balance: 42 },
    endpoints: Array.from({ length: ENDPOINTS }, (_, e) => ({
      id: `${name}-${e}`,
      host: `10.0.${s}.${e}`,
      port: 8080,
      breaker: 'closed',
      inflight: 1,
      latencyMs: 4,
      healthy: true,
      ejected: false,
    })),
  });
}
const source: DashboardSource = { inspect: () => inspections };
const big = createDashboard({ clock, sources: [source] });
const end = diagnostics.channel('breakwater:request:end');
const attempt = diagnostics.channel('breakwater:attempt:end');
for (let i = 0; i < 60; i++) {
  for (let s = 0; s < SERVICES; s++) {
    for (let e = 0; e < ENDPOINTS; e++) {
      end.publish({ service: `svc-${s}`, outcome: 'success', durationMs: 1 + ((i * e) % 40) });
      attempt.publish({
        service: `svc-${s}`,
        endpoint: `svc-${s}-${e}`,
        outcome: 'success',
        durationMs: 1 + ((i * e) % 40),
      });
    }
  }
  clock.t += 1000;
  big.tick();
}
const built = big.snapshot();
const json = JSON.stringify(built);
const snapshot = await suite(
  `Snapshot of ${SERVICES} services × ${ENDPOINTS} endpoints, 60-point histories (${(json.length / 1024).toFixed(0)} KiB of JSON)`,
  [
    { name: 'JSON.stringify of a built snapshot (anchor)', fn: () => JSON.stringify(built) },
    { name: 'snapshot() (build)', fn: () => big.snapshot() },
    { name: 'snapshot() + JSON.stringify (one SSE frame)', fn: () => JSON.stringify(big.snapshot()) },
  ],
  { rounds: 9, batchMs: 100, allocOps: 50 },
);
await big.close();

const mOver = over(withDash.mem) - over(without.mem);
const lOver = over(withDash.net) - over(without.net);
const collectorNs = subscribers[2]!.medianNs - subscribers[1]!.medianNs;
const summary = [
  `- The collector itself: **${collectorNs.toFixed(0)} ns** per call over no-op subscribers (${(subscribers[1]!.medianNs - subscribers[0]!.medianNs).toFixed(0)} ns for diagnostics_channel and the two messages, which any subscriber costs), ${((subscribers[2]!.bytesPerOp ?? 0) - (subscribers[1]!.bytesPerOp ?? 0)).toFixed(0)} B/op more heap.`,
  `- No I/O: the full pipeline costs ${over(without.mem).toFixed(0)} ns over raw undici without a dashboard and ${over(withDash.mem).toFixed(0)} ns with one: **${mOver.toFixed(0)} ns** per call for the dashboard, ${((mOver / over(without.mem)) * 100).toFixed(1)} % of the pipeline's own CPU.`,
  `- Loopback, c = 1: ${over(without.net).toFixed(0)} ns → ${over(withDash.net).toFixed(0)} ns over raw undici (${lOver.toFixed(0)} ns; speed vs raw ${rel(without.net).toFixed(2)}× → ${rel(withDash.net).toFixed(2)}×), within this machine's noise.`,
  `- Snapshot 50 × 20: build ${(snapshot[1]!.medianNs / 1e6).toFixed(2)} ms, build + JSON ${(snapshot[2]!.medianNs / 1e6).toFixed(2)} ms (${(json.length / 1024).toFixed(0)} KiB), once per interval (1 s) while a stream is open.`,
];
console.log(summary.join('\n'));

writeResults(
  'dashboard',
  'Dashboard: cost per call of its channel subscribers, and snapshot build time',
  'npx tsc -b packages/client && node scripts/run-benchmarks.mjs dashboard',
  [
    'The same client and calls measured without, then with a `createDashboard()` subscribed to the `breakwater:*`',
    'channels (request:end, attempt:end, retry, hedge, budget:exhausted, breaker:state, eject, uneject, endpoints,',
    'discovery:error), each phase against raw undici measured in the same interleaved rounds (the anchor). Full',
    'pipeline = the HTTP benchmark configuration (P2C peak-EWMA + outlier detection, endpoint and service breakers,',
    'bulkhead, retry with budget, timeout, trace headers). The first table isolates the subscribers: what a call',
    'publishes at its end, with nobody listening, with no-op listeners, and with the dashboard.',
    '',
    ...summary,
    '',
    suiteTable('The two channel messages of a call alone', subscribers),
    '',
    suiteTable('In-memory connection (no I/O), no dashboard', without.mem),
    '',
    suiteTable('In-memory connection (no I/O), dashboard subscribed', withDash.mem),
    '',
    suiteTable('Loopback, server in another process, c = 1, no dashboard', without.net),
    '',
    suiteTable('Loopback, server in another process, c = 1, dashboard subscribed', withDash.net),
    '',
    suiteTable(`Snapshot of ${SERVICES} × ${ENDPOINTS}, 60-point histories`, snapshot),
  ].join('\n'),
  {
    'dashboard.collector.overNs': collectorNs,
    'dashboard.inMemory.overNs': mOver,
    'dashboard.inMemory.ratioVsRaw.without': rel(without.mem),
    'dashboard.inMemory.ratioVsRaw.with': rel(withDash.mem),
    'dashboard.loopback.overNs': lOver,
    'dashboard.loopback.ratioVsRaw.without': rel(without.net),
    'dashboard.loopback.ratioVsRaw.with': rel(withDash.net),
    'dashboard.snapshot50x20.ms': snapshot[1]!.medianNs / 1e6,
    'dashboard.snapshot50x20.jsonMs': snapshot[2]!.medianNs / 1e6,
    'dashboard.snapshot50x20.jsonBytes': json.length,
  },
);
