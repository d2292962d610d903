import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCliArgs, parseDuration, UsageError } from '../src/cli-args.js';
import { BUDGET, runScenario } from '../src/run-scenario.js';

// Short runs: 2 s at 200 requests/s (400 requests) each, open loop.
const SHORT = { durationMs: 2_000, rate: 200, seed: 1 } as const;

/** Handles and timers of the kinds a run creates, to check that a run leaves none behind. */
function resources(): number {
  return process
    .getActiveResourcesInfo()
    .filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap' || r === 'Timeout').length;
}

describe('chaos scenarios with the Breakwater client', () => {
  it('failing-replica: success ≥ 99.9 % with ≤ 1.25 attempts per request, and nothing left open', async () => {
    const before = resources();
    const r = await runScenario({ scenario: 'failing-replica', client: 'breakwater', ...SHORT });
    expect(r.requests).toBe(400);
    expect(r.successRate).toBeGreaterThanOrEqual(0.999);
    expect(r.attemptsPerRequest).toBeGreaterThanOrEqual(1);
    expect(r.attemptsPerRequest).toBeLessThanOrEqual(1.25);
    // Poll with a deadline: socket handles go away on the next turns of the event loop.
    const deadline = performance.now() + 2_000;
    while (resources() > before && performance.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(resources()).toBeLessThanOrEqual(before);
  });

  it('failing-replica: the naive client does visibly worse (contrast)', async () => {
    const r = await runScenario({ scenario: 'failing-replica', client: 'naive', ...SHORT });
    // One replica in three fails half its requests: about 1/6 of naive requests fail.
    expect(r.successRate).toBeLessThan(0.95);
    expect(r.attemptsPerRequest).toBe(1);
  });

  it('kill-replica: ≤ 0.5 % errors when a listed replica dies mid-run', async () => {
    const r = await runScenario({ scenario: 'kill-replica', client: 'breakwater', ...SHORT });
    expect(r.errors / r.requests).toBeLessThanOrEqual(0.005);
  });

  it('slow-replica: the slow replica gets a small share, still probed; hedges stay within the budget', async () => {
    const slow = await runScenario({ scenario: 'slow-replica', client: 'breakwater', ...SHORT });
    const naive = await runScenario({ scenario: 'slow-replica', client: 'naive', ...SHORT });
    // The fault took effect: round-robin sends the slow replica (the third) a third of the calls.
    expect(naive.perReplica[2]! / naive.requests).toBeGreaterThan(0.3);
    expect(slow.successRate).toBeGreaterThanOrEqual(0.999);
    const received = slow.perReplica.reduce((a, b) => a + b, 0);
    // Breakwater keeps it to its first calls and its probes (about one a second), not a third…
    expect(slow.perReplica[2]! / received).toBeLessThanOrEqual(0.05);
    // …without starving it: at least its first call and one probe, so a recovery would be seen.
    expect(slow.perReplica[2]!).toBeGreaterThanOrEqual(2);
    // Its probes were hedged (it answers after 40–60 ms, the adaptive hedge fires after the p95 of the
    // service, about 6 ms, once 100 attempts were seen), and every hedge and retry came out of the budget.
    expect(slow.hedges).toBeGreaterThanOrEqual(1);
    const reserve = (BUDGET.minRetriesPerSecond * BUDGET.ttl) / 1000;
    expect(received - slow.requests).toBeLessThanOrEqual(BUDGET.percentCanRetry * slow.requests + reserve);
  });

  it('flapping-replica: success ≥ 99.9 %', async () => {
    const r = await runScenario({ scenario: 'flapping-replica', client: 'breakwater', ...SHORT });
    expect(r.successRate).toBeGreaterThanOrEqual(0.999);
  });

  it('partition: success ≥ 99.9 %, blackholed attempts cut, no call waits out its deadline', async () => {
    const r = await runScenario({ scenario: 'partition', client: 'breakwater', ...SHORT });
    // The fault took effect: attempts on the blackholed replica (the third) went unanswered, cut by a
    // winning hedge or the per-try timeout.
    expect(r.unanswered[2]!).toBeGreaterThanOrEqual(1);
    expect(r.successRate).toBeGreaterThanOrEqual(0.999);
    // Those calls were retried elsewhere instead of holding the whole deadline (TIMEOUT_MS).
    expect(r.deadlineExceeded).toBe(0);
  });

  it('retry-storm: attempts per request stay within 1 + the retry budget', async () => {
    const r = await runScenario({ scenario: 'retry-storm', client: 'breakwater', ...SHORT });
    const reserve = (BUDGET.minRetriesPerSecond * BUDGET.ttl) / 1000;
    const bound = 1 + BUDGET.percentCanRetry + reserve / r.requests + 0.01;
    // Retries did happen (the budget was used), but no more than it allows.
    expect(r.attemptsPerRequest).toBeGreaterThan(1.1);
    expect(r.attemptsPerRequest).toBeLessThanOrEqual(bound);
  });

  it('registry-outage: the last snapshot stays in force, success ≥ 99.9 %', async () => {
    const r = await runScenario({ scenario: 'registry-outage', client: 'breakwater', ...SHORT });
    expect(r.discoveryErrors).toBeGreaterThanOrEqual(1); // the outage reached the client
    expect(r.successRate).toBeGreaterThanOrEqual(0.999);
  });
});

describe('chaos CLI arguments', () => {
  it('parses a full command line with defaults', () => {
    expect(parseCliArgs(['--scenario', 'partition'])).toEqual({
      scenario: 'partition',
      client: 'breakwater',
      rate: 200,
      durationMs: 30_000,
      json: undefined,
      dashboard: undefined,
      lingerMs: 30_000,
    });
    expect(parseDuration('1500ms')).toBe(1_500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('3')).toBe(3_000);
  });

  it.each([
    [[], /--scenario is required/],
    [['--scenario', 'nope'], /unknown scenario "nope"/],
    [['--scenario', 'partition', '--client', 'curl'], /--client must be naive or breakwater/],
    [['--scenario', 'partition', '--duration', 'soon'], /--duration must look like/],
    [['--scenario', 'partition', '--rate', '0'], /--rate must be a positive number/],
    [['--scenario', 'partition', '--bogus'], /bogus/],
  ])('rejects %j with a clear message', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });

  it('exits with 2 and the usage on bad arguments', () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const out = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--conditions=breakwater-source', 'src/chaos-cli.ts', '--scenario', 'nope'],
      { cwd, encoding: 'utf8' },
    );
    expect(out.status).toBe(2);
    expect(out.stderr).toContain('unknown scenario "nope"');
    expect(out.stderr).toContain('usage: npm run chaos');
  });
});
