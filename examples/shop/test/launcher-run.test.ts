// The whole launcher run in-process, with the stand-in fixture for every service process: start order,
// registry environment, load, chaos through the admin API and the supervisor, summary, and clean stops.
import { EventEmitter } from 'node:events';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ARGS, type LauncherArgs } from '../src/launcher/cli-args.js';
import { runLauncher } from '../src/launcher/run-launcher.js';
import { FIXTURE, isGone, waitFor } from './fixtures/helpers.js';

const ENTRIES = { catalog: FIXTURE, cart: FIXTURE, pricing: FIXTURE, frontend: FIXTURE };

function capture(): { write(t: string): boolean; text(): string; isTTY: false } {
  let out = '';
  return {
    write(t: string) {
      out += t;
      return true;
    },
    text: () => out,
    isTTY: false,
  };
}

function pidsIn(text: string): number[] {
  const line = text.split('\n').find((l) => l.trim().startsWith('processes'));
  return [...(line ?? '').matchAll(/\b(\d{2,})\b/g)].map((m) => Number(m[1]));
}

function run(args: Partial<LauncherArgs>, env: Record<string, string> = {}) {
  const stdout = capture();
  const stderr = capture();
  const signals = new EventEmitter();
  const hardExits: number[] = [];
  const result = runLauncher(
    { ...DEFAULT_ARGS, port: 0, instances: 2, rate: 50, durationMs: 2_500, exit: true, ...args },
    {
      stdout,
      stderr,
      signals,
      hardExit: (code) => hardExits.push(code),
      entries: ENTRIES,
      env: { ...process.env, ...env, CONSUL_HTTP_ADDR: '' },
      tickMs: 250,
      readyTimeoutMs: 20_000,
    },
  );
  return { stdout, stderr, signals, hardExits, result };
}

describe('runLauncher (fixture services)', () => {
  it('runs load and chaos, prints progress, the summary and the URLs, and leaves no process', async () => {
    const r = run({});
    expect(await r.result).toBe(0);
    const out = r.stdout.text();
    // Progress lines: one per tick, with the breaker states the fixture dashboard reports.
    expect(out).toMatch(/\[\s*\d+\.\d s \/ 2\.5 s\] \d+\.\d req\/s {2}ok 100\.00 %/);
    expect(out).toContain('catalog open+ejected,closed');
    expect(out).toMatch(/retries 3\.0\/s/); // 1 per service in the fixture snapshot
    // Chaos, applied for real: faults via POST /admin/faults, kill and restart via the supervisor.
    for (const label of [
      'slow catalog-1',
      'fail cart-2',
      'kill -9 pricing-1',
      'restart pricing-1',
      'clear the faults',
    ]) {
      expect(out).toMatch(new RegExp(`chaos: ${label}[^\\n]*\\n`));
    }
    expect(out).not.toMatch(/chaos: .*failed/);
    expect(out).toMatch(/success rate {3}100\.00 %/);
    expect(out).toMatch(/breakers {7}6 transitions, 3 ejections/); // 3 services × the fixture's totals
    expect(out).toMatch(/Dashboard: http:\/\/127\.0\.0\.1:\d+\/dashboard\//);
    expect(out).toContain('before:');
    const pids = pidsIn(out);
    expect(pids.length).toBe(8); // 6 backends + frontend + the restarted pricing-1
    for (const pid of pids) expect(isGone(pid)).toBe(true);
    expect(r.stderr.text()).toBe('');
  });

  it('without --exit keeps the shop up after the summary until SIGINT, then stops everything', async () => {
    const r = run({ exit: false, chaos: false, durationMs: 1_000 });
    await waitFor(() => r.stdout.text().includes('press Ctrl-C to stop'), 30_000);
    const pids = pidsIn(r.stdout.text());
    expect(pids.length).toBe(7);
    for (const pid of pids) expect(isGone(pid)).toBe(false);
    // A crash nobody asked for is reported with the child's last lines, and the child comes back.
    const catalog1 = Number(/catalog-1 (\d+)/.exec(r.stdout.text())?.[1]);
    process.kill(catalog1, 'SIGKILL');
    await waitFor(() => r.stdout.text().includes('catalog-1 is back on port'), 30_000);
    expect(r.stdout.text()).toMatch(
      new RegExp(
        `notice catalog-1 \\(pid ${catalog1}\\) exited unexpectedly \\(code null, signal SIGKILL\\); restarting it on the same port\\n +\\| .*"listening"`,
      ),
    );
    r.signals.emit('SIGINT');
    expect(await r.result).toBe(0);
    const stopped = /stopped 8 processes \(pids ([\d, ]+)\)/.exec(r.stdout.text());
    expect(stopped, r.stdout.text()).not.toBeNull();
    for (const pid of stopped![1]!.split(', ').map(Number)) expect(isGone(pid)).toBe(true);
  });

  it('SIGTERM during the run prints the summary so far; a second signal kills at once', async () => {
    const r = run({ durationMs: 60_000, chaos: false, instances: 1 });
    await waitFor(() => /req\/s {2}ok/.test(r.stdout.text()), 30_000);
    r.signals.emit('SIGTERM');
    r.signals.emit('SIGINT');
    expect(r.hardExits).toEqual([130]);
    expect(await r.result).toBe(0);
    expect(r.stdout.text()).toContain('Summary (interrupted)');
    for (const pid of pidsIn(r.stdout.text())) expect(isGone(pid)).toBe(true);
  });

  it('reports a child that fails to start with its last log lines, and exits 1 after cleaning up', async () => {
    const r = run({ instances: 1 }, { FIXTURE_CRASH: 'frontend' });
    expect(await r.result).toBe(1);
    expect(r.stderr.text()).toMatch(/frontend exited \(code 3, signal null\) before reporting ready/);
    expect(r.stderr.text()).toContain('fixture crashing on purpose');
    const stopped = /stopped 4 processes \(pids ([\d, ]+)\)/.exec(r.stdout.text());
    expect(stopped).not.toBeNull();
    for (const pid of stopped![1]!.split(', ').map(Number)) expect(isGone(pid)).toBe(true);
  });

  it('shows "–" when the dashboard is missing, and falls back to a free port when the asked one is busy', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const taken = (busy.address() as { port: number }).port;
    try {
      const r = run(
        { port: taken, chaos: false, durationMs: 1_000, instances: 1 },
        { FIXTURE_NO_DASHBOARD: '1' },
      );
      expect(await r.result).toBe(0);
      const out = r.stdout.text();
      expect(out).toContain(`port ${taken} is busy; the frontend takes a free port instead`);
      expect(out).not.toContain(`127.0.0.1:${taken}/dashboard`);
      expect(out).toMatch(/retries – {2}\| catalog – \| cart – \| pricing –$/m);
      expect(out).toMatch(/retries {8}– \(by the frontend's clients\)/);
      expect(out).toContain('no dashboard snapshot: 404');
    } finally {
      busy.close();
    }
  });
});
