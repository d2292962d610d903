// The chaos runner's --dashboard: argument parsing, the broken-replica scenario it is best watched
// with, and a spawned run that prints the dashboard URL, serves it, and exits leaving nothing behind.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from '../src/cli-args.js';
import { runScenario } from '../src/run-scenario.js';

describe('--dashboard and --linger', () => {
  it.each([
    [['--dashboard'], 0, 30_000],
    [['--dashboard', '8089'], 8089, 30_000],
    [['--dashboard=0', '--linger', '2s'], 0, 2_000],
    [['--dashboard', '--linger', '0'], 0, 0],
    [['--dashboard', '--duration', '5s'], 0, 30_000],
  ])('parses %j', (extra, port, linger) => {
    const args = parseCliArgs(['--scenario', 'healthy', ...extra]);
    expect(args.dashboard).toBe(port);
    expect(args.lingerMs).toBe(linger);
  });

  it.each([
    [['--dashboard=x'], /--dashboard takes a port/],
    [['--dashboard', '70000'], /--dashboard takes a port/],
    [['--linger', '5s'], /--linger needs --dashboard/],
    [['--dashboard', '--linger', 'later'], /--duration must look like|must look like/],
  ])('rejects %j', (extra, message) => {
    expect(() => parseCliArgs(['--scenario', 'healthy', ...extra])).toThrow(UsageError);
    expect(() => parseCliArgs(['--scenario', 'healthy', ...extra])).toThrow(message);
  });
});

it('broken-replica: the endpoint breaker opens, retries keep success ≥ 99 %', async () => {
  const r = await runScenario({
    scenario: 'broken-replica',
    client: 'breakwater',
    durationMs: 2_000,
    rate: 200,
  });
  expect(r.breakerTransitions).toBeGreaterThanOrEqual(1);
  expect(r.ejections).toBe(0);
  expect(r.successRate).toBeGreaterThanOrEqual(0.99);
});

it('the spawned runner prints the dashboard URL, serves it during the run, and exits 0', async () => {
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--conditions=breakwater-source',
      'src/chaos-cli.ts',
      '--scenario',
      'broken-replica',
      '--duration',
      '3s',
      '--rate',
      '50',
      '--dashboard',
      '--linger',
      '0',
    ],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        const m = /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m !== null) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited (${code}) before printing the URL: ${out}`)));
    });
    const res = await fetch(`${url}snapshot.json`);
    expect(res.status).toBe(200);
    const snap = (await res.json()) as { title: string; services: unknown[] };
    expect(snap.title).toBe('chaos: broken-replica');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(out).toContain('broken-replica with the breakwater client');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  // The child is gone.
  expect(() => process.kill(child.pid!, 0)).toThrow();
});
