// The HTTP client's own per-call cost, without sockets: every contender drives an undici Pool whose
// connections are replaced (through undici's `factory` option) by an in-memory dispatcher that
// answers 200 at once. What remains is the work each client adds around undici's request path:
// for raw undici none, for Breakwater the whole pipeline. Deterministic enough on a noisy machine
// to guide the profile-guided pass (node --cpu-prof on this file).
import { createHttpClient } from '@breakwater/client';
import { StaticRegistry } from '@breakwater/discovery';
import { Pool } from 'undici';
import { fullPipelinePolicy } from './lib/full-policy.js';
import { suite, suiteTable, writeResults } from './lib/harness.js';
import { completedCalls, countingHandler, instantFactory } from './lib/instant-connection.js';

const factory = instantFactory;
const handler = countingHandler;

const raw = new Pool('http://127.0.0.1:9', { factory });
const rawOpts = { path: '/', method: 'GET' as const };
const registry = new StaticRegistry({ echo: ['127.0.0.1:9'] });
const full = createHttpClient({
  registry,
  undici: { factory },
  services: {
    echo: fullPipelinePolicy(),
  },
});
const bare = createHttpClient({
  registry,
  undici: { factory },
  tracing: false,
  propagateDeadline: false,
  services: {
    echo: {
      balancer: { policy: 'round-robin' },
      endpointBreaker: false,
      serviceBreaker: false,
      budget: false,
      retry: false,
      timeoutMs: 0,
    },
  },
});
const bwOpts = { origin: 'http://echo', path: '/', method: 'GET' as const };
const fullD = full.dispatcher;
const bareD = bare.dispatcher;

const results = await suite(
  'Per-call cost around undici, no I/O (in-memory connection answering 200)',
  [
    { name: 'raw undici Pool.dispatch (baseline)', fn: () => raw.dispatch(rawOpts, handler) },
    { name: 'breakwater dispatcher, full pipeline', fn: () => fullD.dispatch(bwOpts, handler) },
    { name: 'breakwater dispatcher, balancing only', fn: () => bareD.dispatch(bwOpts, handler) },
  ],
  { rounds: 21 },
);
if (completedCalls() === 0) throw new Error('no request completed');
await full.close();
await bare.close();
await registry.close();
await raw.close();

writeResults(
  'http-overhead',
  'HTTP client: per-call cost of the pipeline without I/O',
  'npm run bench -- http-overhead',
  [
    "Each case dispatches GET / through an undici Pool whose connections are an in-memory dispatcher (undici's",
    '`factory` option) answering 200 synchronously, so no socket, parser or server is involved: the figures are the',
    "client's own CPU per call. Full pipeline = the HTTP benchmark's configuration (P2C peak-EWMA + outlier detection,",
    'endpoint and service breakers, bulkhead, retry with budget, 10 s timeout, traceparent and deadline headers).',
    '',
    suiteTable('Per-call cost around undici, no I/O', results),
  ].join('\n'),
  {
    'http-overhead.full.overNs': results[1]!.overNs,
    'http-overhead.bare.overNs': results[2]!.overNs,
    'http-overhead.full.bytesPerOp': (results[1]!.bytesPerOp ?? Number.NaN) - (results[0]!.bytesPerOp ?? 0),
  },
);
