// @breakwater/retry against a raw await and cockatiel 3, same run: the overhead of a retry policy
// when the first attempt succeeds (the common case), the RetryBudget operations and backoff next().
// Run: npx tsc -b packages/retry && node scripts/run-benchmarks.mjs retry
import { constant, Deadline, exponential, HedgePolicy, RetryBudget, RetryPolicy } from '@breakwater/retry';
import { retry as cockatielRetry, ExponentialBackoff, handleAll } from 'cockatiel';
import { type CaseResult, suite, suiteTable, writeResults } from './lib/harness.js';
import { versionOf } from './lib/machine.js';

const task = async (): Promise<number> => 1;
const signal = new AbortController().signal;

// --- first attempt succeeds ----------------------------------------------------------------------
const withBudget = new RetryPolicy({ maxAttempts: 3 }); // default: exponential backoff + own RetryBudget
const noBudget = new RetryPolicy({ maxAttempts: 3, budget: false });
const classified = new RetryPolicy({ maxAttempts: 3, budget: false, shouldRetry: (o) => !o.ok });
const cockatiel = cockatielRetry(handleAll, { maxAttempts: 3, backoff: new ExponentialBackoff() });
const hedged = new HedgePolicy({ delay: 1000, budget: false });
const farDeadline = () => Deadline.after(60_000);

const executeResults = await suite(
  'retry: first attempt succeeds, vs raw await and cockatiel',
  [
    { name: 'raw `await fn()` (baseline)', fn: task, async: true },
    {
      name: 'breakwater RetryPolicy.execute (default budget)',
      fn: () => withBudget.execute(task),
      async: true,
    },
    { name: 'breakwater RetryPolicy.execute (budget: false)', fn: () => noBudget.execute(task), async: true },
    {
      name: 'breakwater execute, custom shouldRetry (allocates the outcome)',
      fn: () => classified.execute(task),
      async: true,
    },
    {
      name: 'breakwater execute with a signal (races it)',
      fn: () => noBudget.execute(task, signal),
      async: true,
    },
    {
      name: 'breakwater execute with a deadline (controller + timer)',
      fn: () => noBudget.execute(task, undefined, farDeadline()),
      async: true,
    },
    {
      name: `cockatiel ${versionOf('cockatiel')} retry(handleAll, { maxAttempts: 3, ExponentialBackoff }).execute`,
      fn: () => cockatiel.execute(task),
      async: true,
    },
    {
      name: 'breakwater HedgePolicy.execute (answers before the delay)',
      fn: () => hedged.execute(task),
      async: true,
    },
  ],
  { rounds: 31 }, // more than the default 15: the machine is shared and noisy
);

// --- retry budget ----------------------------------------------------------------------------------
const budget = new RetryBudget({ percentCanRetry: 1 });
const budgetResults = await suite('RetryBudget operations (O(1), reads the clock once)', [
  { name: 'performance.now() (baseline)', fn: () => performance.now() },
  { name: 'deposit()', fn: () => budget.deposit() },
  {
    name: 'deposit() + tryWithdraw()',
    fn: () => {
      budget.deposit();
      return budget.tryWithdraw();
    },
  },
  { name: 'balance()', fn: () => budget.balance() },
]);

// --- backoff ---------------------------------------------------------------------------------------
const iterators = {
  none: exponential({ jitter: 'none' }).start(),
  full: exponential({ jitter: 'full' }).start(),
  equal: exponential({ jitter: 'equal' }).start(),
  decorrelated: exponential({ jitter: 'decorrelated' }).start(),
  constant: constant(100).start(),
};
const fullBackoff = exponential({ jitter: 'full' });
const cockatielBackoff = new ExponentialBackoff();
const backoffResults = await suite('backoff next()', [
  { name: 'Math.random() (baseline)', fn: () => Math.random() },
  { name: 'exponential none: next()', fn: () => iterators.none.next() },
  { name: 'exponential full: next()', fn: () => iterators.full.next() },
  { name: 'exponential equal: next()', fn: () => iterators.equal.next() },
  { name: 'exponential decorrelated: next()', fn: () => iterators.decorrelated.next() },
  { name: 'constant: next()', fn: () => iterators.constant.next() },
  { name: 'exponential full: start() + next() (fresh sequence)', fn: () => fullBackoff.start().next() },
  {
    // cockatiel's backoffs are immutable: each step allocates the next one (compare with start() + next())
    name: `cockatiel ${versionOf('cockatiel')} ExponentialBackoff: next().duration (first step)`,
    fn: () => cockatielBackoff.next().duration,
  },
]);

function summary(results: CaseResult[]): string {
  const base = results[0]!;
  const lines = results
    .slice(1)
    .map(
      (r) =>
        `- ${r.name}: +${r.overNs.toFixed(1)} ns over raw (${(r.medianNs / base.medianNs).toFixed(2)}× raw time)`,
    );
  return lines.join('\n');
}

writeResults(
  'retry',
  '@breakwater/retry',
  'npx tsc -b packages/retry && node scripts/run-benchmarks.mjs retry',
  [
    'Goal: the first-attempt-succeeds path (no signal, no deadline) costs ≤ 50 ns over a raw `await fn()`.',
    'Overhead over the raw await and extra heap bytes per call, same run:',
    '',
    summary(executeResults),
    '',
    suiteTable('retry: first attempt succeeds, vs raw await and cockatiel', executeResults),
    '',
    suiteTable('RetryBudget operations', budgetResults),
    '',
    suiteTable('backoff next()', backoffResults),
  ].join('\n'),
  {
    'retry.execute.overNs': executeResults.find((r) => r.name.includes('(default budget)'))!.overNs,
    'retry.execute-no-budget.overNs': executeResults.find((r) => r.name.includes('(budget: false)'))!.overNs,
    'retry.cockatiel.overNs': executeResults.find((r) => r.name.startsWith('cockatiel'))!.overNs,
  },
);
