// The full policy stack around one async call, outermost first as the client composes it:
// bulkhead → retry (with its budget) → circuit breaker, against the same stack in cockatiel and
// opossum (breaker + its timeout), same run. The call always succeeds: this is the per-call tax.
// Run: npm run bench -- policy-stack
import { Bulkhead, CircuitBreaker } from '@breakwater/breaker';
import { Deadline, RetryPolicy } from '@breakwater/retry';
import {
  ConsecutiveBreaker,
  circuitBreaker,
  bulkhead as cockatielBulkhead,
  ExponentialBackoff,
  handleAll,
  retry,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import OpossumBreaker from 'opossum';
import { suite, suiteTable, writeResults } from './lib/harness.js';
import { versionOf } from './lib/machine.js';

const task = async (): Promise<number> => 1;

const bulkhead = new Bulkhead({ maxConcurrent: 1024 });
const breaker = new CircuitBreaker();
const policy = new RetryPolicy({ maxAttempts: 3 });
const attempt = (): Promise<number> => breaker.execute(task);
const retried = (): Promise<number> => policy.execute(attempt);
const retriedWithDeadline = (): Promise<number> => policy.execute(attempt, undefined, Deadline.after(10_000));

const cockatielStack = wrap(
  cockatielBulkhead(1024),
  retry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() }),
  circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
);
const cockatielStackTimeout = wrap(cockatielStack, timeout(10_000, TimeoutStrategy.Cooperative));
const opossum = new OpossumBreaker(task, { capacity: 1024 });

const results = await suite(
  'Full policy stack per call (bulkhead → retry + budget → breaker), closed state, first attempt succeeds',
  [
    { name: 'raw `await fn()` (baseline)', fn: task, async: true },
    { name: 'breakwater bulkhead → retry → breaker', fn: () => bulkhead.execute(retried), async: true },
    {
      name: 'breakwater bulkhead → retry (10 s deadline) → breaker',
      fn: () => bulkhead.execute(retriedWithDeadline),
      async: true,
    },
    {
      name: `cockatiel ${versionOf('cockatiel')} wrap(bulkhead, retry, breaker)`,
      fn: () => cockatielStack.execute(task),
      async: true,
    },
    {
      name: `cockatiel ${versionOf('cockatiel')} wrap(bulkhead, retry, breaker, timeout 10 s)`,
      fn: () => cockatielStackTimeout.execute(task),
      async: true,
    },
    {
      name: `opossum ${versionOf('opossum')} fire (breaker + capacity + 10 s timeout)`,
      fn: () => opossum.fire(),
      async: true,
    },
  ],
  { rounds: 21 },
);

const over = (i: number): number => results[i]!.overNs;
writeResults(
  'policy-stack',
  'Full policy stack: bulkhead → retry → breaker, per call',
  'npm run bench -- policy-stack',
  [
    suiteTable('Per-call cost of the stack (ns/op, heap B/op)', results),
    '',
    `Goal: full policy stack ≤ 500 ns over raw. Measured: ${over(1).toFixed(0)} ns without a deadline, ${over(2).toFixed(0)} ns with one (it arms one timer per call); cockatiel's stack ${over(3).toFixed(0)} ns (${over(4).toFixed(0)} ns with its timeout), opossum ${over(5).toFixed(0)} ns.`,
  ].join('\n'),
  {
    'policy-stack.overNs': over(1),
    'policy-stack.deadline.overNs': over(2),
    'policy-stack.cockatiel.overNs': over(3),
    'policy-stack.cockatiel-timeout.overNs': over(4),
    'policy-stack.opossum.overNs': over(5),
  },
);
