// @breakwater/breaker against a raw await and the anchors (cockatiel 3, opossum 9), same run:
// execute() and the permit path of the breaker, the bulkhead, heap bytes per op, and memory per
// breaker instance. Run: npx tsc -b packages/breaker && node scripts/run-benchmarks.mjs breaker
import { Bulkhead, CircuitBreaker, ConsecutiveFailures, CountWindow, TimeWindow } from '@breakwater/breaker';
import { ConsecutiveBreaker, circuitBreaker, bulkhead as cockatielBulkhead, handleAll } from 'cockatiel';
import OpossumBreaker from 'opossum';
import { type CaseResult, suite, suiteTable, writeResults } from './lib/harness.js';
import { versionOf } from './lib/machine.js';

const task = async (): Promise<number> => 1;
const noop = (): number => 1;

// --- breaker execute -------------------------------------------------------------------------
const consecutive = new CircuitBreaker({ strategy: new ConsecutiveFailures({ threshold: 5 }) });
const countWindow = new CircuitBreaker({ strategy: new CountWindow() });
const timeWindow = new CircuitBreaker({ strategy: new TimeWindow() });
const cockatiel = circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
// opossum's default 10 s timeout arms a timer per call; `timeout: false` compares the breaker alone.
const opossum = new OpossumBreaker(task, { timeout: false });
const opossumTimeout = new OpossumBreaker(task);
const signal = new AbortController().signal;

const executeResults = await suite(
  'CircuitBreaker.execute vs raw await and anchors (closed state)',
  [
    { name: 'raw `await fn()` (baseline)', fn: task, async: true },
    { name: 'breakwater execute (ConsecutiveFailures 5)', fn: () => consecutive.execute(task), async: true },
    {
      name: 'breakwater execute (CountWindow 100, default)',
      fn: () => countWindow.execute(task),
      async: true,
    },
    { name: 'breakwater execute (TimeWindow 60 s / 10)', fn: () => timeWindow.execute(task), async: true },
    { name: 'breakwater execute with a signal', fn: () => consecutive.execute(task, signal), async: true },
    {
      name: `cockatiel ${versionOf('cockatiel')} circuitBreaker(ConsecutiveBreaker(5)).execute`,
      fn: () => cockatiel.execute(task),
      async: true,
    },
    { name: `opossum ${versionOf('opossum')} fire (timeout: false)`, fn: () => opossum.fire(), async: true },
    {
      name: `opossum ${versionOf('opossum')} fire (default 10 s timeout)`,
      fn: () => opossumTimeout.fire(),
      async: true,
    },
  ],
  { rounds: 31 },
);

// --- permit path -------------------------------------------------------------------------------
const permitConsecutive = new CircuitBreaker({ strategy: new ConsecutiveFailures() });
const permitCount = new CircuitBreaker({ strategy: new CountWindow() });
const permitTime = new CircuitBreaker({ strategy: new TimeWindow() });
const permitBulkhead = new Bulkhead({ maxConcurrent: 100 });

const permitResults = await suite('Permit path (tryAcquire + success), synchronous', [
  { name: 'plain function call (baseline)', fn: noop },
  { name: 'breaker permit (ConsecutiveFailures)', fn: () => permitConsecutive.tryAcquire()!.success(1) },
  { name: 'breaker permit (CountWindow 100)', fn: () => permitCount.tryAcquire()!.success(1) },
  { name: 'breaker permit (TimeWindow, reads the clock)', fn: () => permitTime.tryAcquire()!.success(1) },
  { name: 'bulkhead permit (allocates one small permit)', fn: () => permitBulkhead.tryAcquire()!.success(1) },
]);

const permitAsyncResults = await suite('Permit path around a raw await', [
  { name: 'raw `await fn()` (baseline)', fn: task, async: true },
  {
    name: 'tryAcquire + await fn() + success(0), untimed',
    fn: async () => {
      const permit = permitConsecutive.tryAcquire()!;
      const r = await task();
      permit.success(0);
      return r;
    },
    async: true,
  },
  {
    name: 'the same, timed by the caller with 2 × performance.now()',
    fn: async () => {
      const permit = permitConsecutive.tryAcquire()!;
      const start = performance.now();
      const r = await task();
      permit.success(performance.now() - start);
      return r;
    },
    async: true,
  },
  {
    name: 'async wrapper with no breaker: `await (async () => await fn())()`',
    fn: async () => await task(),
    async: true,
  },
]);

// --- bulkhead ----------------------------------------------------------------------------------
const ours = new Bulkhead({ maxConcurrent: 10, maxQueue: 0 });
const theirs = cockatielBulkhead(10, 0);
const bulkheadResults = await suite(
  'Bulkhead.execute vs raw await and cockatiel (never full)',
  [
    { name: 'raw `await fn()` (baseline)', fn: task, async: true },
    { name: 'breakwater Bulkhead.execute', fn: () => ours.execute(task), async: true },
    {
      name: `cockatiel ${versionOf('cockatiel')} bulkhead(10, 0).execute`,
      fn: () => theirs.execute(task),
      async: true,
    },
  ],
  { rounds: 31 },
);

// --- memory per instance -----------------------------------------------------------------------
const gc = (globalThis as { gc?: () => void }).gc;
function perInstance(make: () => unknown, n = 10_000): number {
  if (!gc) return Number.NaN;
  const keep: unknown[] = new Array(n);
  gc();
  gc();
  const m0 = process.memoryUsage();
  for (let i = 0; i < n; i++) keep[i] = make();
  gc();
  gc();
  const m1 = process.memoryUsage();
  const bytes = m1.heapUsed - m0.heapUsed + (m1.arrayBuffers - m0.arrayBuffers);
  if (keep.length !== n) throw new Error('unreachable');
  return bytes / n;
}
const memory: [string, number][] = [
  [
    'breakwater CircuitBreaker (ConsecutiveFailures)',
    perInstance(() => new CircuitBreaker({ strategy: new ConsecutiveFailures() })),
  ],
  ['breakwater CircuitBreaker (CountWindow 100, default)', perInstance(() => new CircuitBreaker())],
  [
    'breakwater CircuitBreaker (TimeWindow 10 buckets)',
    perInstance(() => new CircuitBreaker({ strategy: new TimeWindow() })),
  ],
  ['breakwater Bulkhead', perInstance(() => new Bulkhead({ maxConcurrent: 10 }))],
  [
    'cockatiel circuitBreaker(ConsecutiveBreaker(5))',
    perInstance(() =>
      circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
    ),
  ],
];
const opossums: OpossumBreaker[] = [];
memory.push([
  'opossum CircuitBreaker (1,000 instances; each starts an interval)',
  perInstance(() => {
    const b = new OpossumBreaker(task, { timeout: false });
    opossums.push(b);
    return b;
  }, 1000),
]);
for (const b of opossums) b.shutdown();
console.log(memory.map(([k, v]) => `${k}: ${v.toFixed(0)} B`).join('\n'));

// --- results -----------------------------------------------------------------------------------
const over = (rs: CaseResult[], name: string): CaseResult => rs.find((r) => r.name.startsWith(name))!;
const ex = over(executeResults, 'breakwater execute (ConsecutiveFailures');
const exDefault = over(executeResults, 'breakwater execute (CountWindow');
const ck = over(executeResults, 'cockatiel');
const op = over(executeResults, 'opossum');
const pc = over(permitResults, 'breaker permit (ConsecutiveFailures');
const pw = over(permitResults, 'breaker permit (CountWindow');
const perBreaker = memory[1]![1];

const goals = [
  '### Goals',
  '',
  '| goal | measured | met |',
  '| --- | --- | --- |',
  `| execute ≤ 100 ns over raw await | ${ex.overNs.toFixed(0)} ns (ConsecutiveFailures), ${exDefault.overNs.toFixed(0)} ns (CountWindow) | ${Math.max(ex.overNs, exDefault.overNs) <= 100 ? 'yes' : 'no'} |`,
  `| permit path 0 B/op in the closed state | ${pc.bytesPerOp?.toFixed(1)} B/op (Consecutive), ${pw.bytesPerOp?.toFixed(1)} B/op (CountWindow): one settle-once permit object per call, by choice (see the breaker README) | ${(pc.bytesPerOp ?? 1) < 1 && (pw.bytesPerOp ?? 1) < 1 ? 'yes' : 'no'} |`,
  `| (for reference) execute's heap per call over a raw await, closed | ${(ex.bytesPerOp! - executeResults[0]!.bytesPerOp!).toFixed(0)} B/op: the promise \`then\` chains, no closure or permit object | — |`,
  `| ≤ 1 KB per breaker (default strategy) | ${perBreaker.toFixed(0)} B | ${perBreaker <= 1024 ? 'yes' : 'no'} |`,
  '',
  `Relative to the anchors in the same run: breakwater execute takes ${(ex.medianNs / ck.medianNs).toFixed(2)}× cockatiel's time and ${(ex.medianNs / op.medianNs).toFixed(2)}× opossum's (timeout: false).`,
].join('\n');

const memoryTable = [
  '### Memory per instance',
  '',
  'heapUsed + arrayBuffers delta after creating 10,000 instances (1,000 for opossum) and two full GCs, divided by n.',
  '',
  '| instance | bytes |',
  '| --- | ---: |',
  ...memory.map(([k, v]) => `| ${k} | ${v.toFixed(0)} |`),
].join('\n');

writeResults(
  'breaker',
  'Circuit breaker and bulkhead (@breakwater/breaker)',
  'npx tsc -b packages/breaker && node scripts/run-benchmarks.mjs breaker',
  [
    goals,
    suiteTable('CircuitBreaker.execute vs raw await and anchors (closed state)', executeResults),
    suiteTable('Permit path (tryAcquire + success), synchronous', permitResults),
    suiteTable('Permit path around a raw await', permitAsyncResults),
    suiteTable('Bulkhead.execute vs raw await and cockatiel (never full)', bulkheadResults),
    memoryTable,
  ].join('\n\n'),
  {
    'breaker.execute.overNs': ex.overNs,
    'breaker.execute-default.overNs': exDefault.overNs,
    'breaker.cockatiel.overNs': ck.overNs,
    'breaker.opossum.overNs': op.overNs,
    'breaker.permit.bytesPerOp': pc.bytesPerOp ?? Number.NaN,
    'breaker.bytesPerInstance': perBreaker,
    'bulkhead.execute.overNs': bulkheadResults[1]!.overNs,
    'bulkhead.cockatiel.overNs': bulkheadResults[2]!.overNs,
  },
);
