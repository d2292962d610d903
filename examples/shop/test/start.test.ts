// End to end: the real launcher (`npm start`'s entry) as a child process, with the real services.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isGone, waitFor } from './fixtures/helpers.js';

const START = fileURLToPath(new URL('../src/start.ts', import.meta.url));

interface Launched {
  readonly proc: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
}

const launched: Launched[] = [];

function launch(args: string[]): Launched {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=breakwater-source', START, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', CONSUL_HTTP_ADDR: '' },
    },
  );
  let out = '';
  proc.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
  proc.stderr?.setEncoding('utf8').on('data', (c: string) => (out += c));
  const l: Launched = {
    proc,
    output: () => out,
    exited: once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]>,
  };
  launched.push(l);
  return l;
}

/** Every pid on the summary's `processes` line (restarted instances list several). */
function childPids(output: string): number[] {
  const line = output.split('\n').find((l) => l.trim().startsWith('processes')) ?? '';
  return [...line.matchAll(/ (\d+(?:\/\d+)*)(?:,|$)/g)].flatMap((m) => m[1]!.split('/').map(Number));
}

/** Pids the launcher printed anywhere: the summary, or `--verbose` ready lines. */
function anyPids(output: string): number[] {
  const verbose = [...output.matchAll(/\[launcher\] \S+ ready, pid (\d+)/g)].map((m) => Number(m[1]));
  return [...new Set([...childPids(output), ...verbose])];
}

afterAll(async () => {
  // Whatever a failed assertion left running: the launcher, then every child it reported.
  for (const l of launched) {
    if (l.proc.exitCode === null && l.proc.signalCode === null) {
      l.proc.kill('SIGKILL');
      await l.exited;
    }
    for (const pid of anyPids(l.output())) {
      if (!isGone(pid)) process.kill(pid, 'SIGKILL');
    }
  }
  for (const l of launched) {
    expect(isGone(l.proc.pid!)).toBe(true);
    for (const pid of anyPids(l.output())) await waitFor(() => isGone(pid), 5_000);
  }
});

describe('npm start (the real shop)', () => {
  it('--exit: runs load and chaos, prints the summary (success ≥ 95 %), the dashboard URL, and leaves nothing', async () => {
    const l = launch(['--duration', '8s', '--rate', '40', '--port', '0', '--exit']);
    const [code] = await l.exited;
    const out = l.output();
    expect(code, out).toBe(0);
    const rate = /success rate +(\d+\.\d+) %/.exec(out);
    expect(rate, out).not.toBeNull();
    expect(Number(rate![1]) / 100).toBeGreaterThanOrEqual(0.95);
    for (const label of [
      'slow catalog-1',
      'fail cart-2',
      'kill -9 pricing-3',
      'restart pricing-3 on the same port',
      'clear the faults',
    ]) {
      expect(out).toContain(`chaos: ${label}`);
      expect(out).toMatch(new RegExp(` {2,}\\d+\\.\\d s {2}${label}[^\\n]*: done\\n`)); // in the summary
    }
    expect(out).toMatch(/Dashboard: http:\/\/127\.0\.0\.1:\d+\/dashboard\//);
    // One progress line per second, non-TTY.
    expect(out.match(/^\[ *\d+\.\d s \/ 8\.0 s\]/gm)?.length ?? 0).toBeGreaterThanOrEqual(6);
    const pids = childPids(out);
    expect(pids.length).toBe(11); // 9 backends, the frontend, and pricing-3 once more after its restart
    for (const pid of pids) expect(isGone(pid)).toBe(true);
  }, 50_000);

  it('without --exit: keeps the shop up until Ctrl-C, then exits 0 with no process left', async () => {
    const l = launch(['--duration', '2s', '--rate', '20', '--port', '0', '--no-chaos', '--instances', '1']);
    await waitFor(() => l.output().includes('press Ctrl-C to stop') || l.proc.exitCode !== null, 40_000);
    const out = l.output();
    expect(out).toMatch(/Dashboard: http:\/\/127\.0\.0\.1:\d+\/dashboard\/ — press Ctrl-C to stop/);
    const pids = childPids(out);
    expect(pids.length).toBe(4);
    for (const pid of pids) expect(isGone(pid)).toBe(false); // still serving the dashboard
    l.proc.kill('SIGINT');
    const [code] = await l.exited;
    expect(code, l.output()).toBe(0);
    expect(l.output()).toContain('stopped 4 processes');
    for (const pid of pids) expect(isGone(pid)).toBe(true);
  }, 50_000);

  it('a launcher killed with -9 leaves no service behind (they watch their IPC channel)', async () => {
    const l = launch([
      '--duration',
      '30s',
      '--rate',
      '10',
      '--port',
      '0',
      '--no-chaos',
      '--verbose',
      '--instances',
      '1',
    ]);
    await waitFor(() => /^Dashboard: /m.test(l.output()) || l.proc.exitCode !== null, 40_000);
    const pids = [...l.output().matchAll(/\[launcher\] \S+ ready, pid (\d+)/g)].map((m) => Number(m[1]));
    expect(pids.length, l.output()).toBe(4);
    l.proc.kill('SIGKILL');
    await l.exited;
    for (const pid of pids) await waitFor(() => isGone(pid), 10_000);
  }, 50_000);

  it('bad arguments: message, usage, exit 2', async () => {
    const l = launch(['--rate', 'lots']);
    const [code] = await l.exited;
    expect(code).toBe(2);
    expect(l.output()).toMatch(/--rate must be a number/);
    expect(l.output()).toContain('usage: npm start -- [options]');
  }, 30_000);
});
