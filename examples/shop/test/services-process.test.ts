// Services as their own processes, started the way the launcher does (shop-contract): IPC 'ready'
// once listening, JSON log lines on stdout, graceful exit 0 on IPC disconnect and on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe, probeAgent } from '../src/lib/http-probe.js';
import type { ReadyMessage } from '../src/lib/main.js';

const children: ChildProcess[] = [];
let agent: Agent;

beforeAll(() => {
  agent = probeAgent();
});
afterAll(async () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await once(c, 'exit');
    }
  }
  for (const c of children) expect(isGone(c.pid!)).toBe(true);
  await agent.close();
});

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function entry(name: string): string {
  return fileURLToPath(new URL(`../src/services/${name}.ts`, import.meta.url));
}

interface Started {
  child: ChildProcess;
  ready: ReadyMessage;
  stdout: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function start(name: string, env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=breakwater-source', entry(name)], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ...env },
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString('utf8');
  });
  const exit = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const ready = await Promise.race([
    new Promise<ReadyMessage>((resolve) =>
      child.on('message', (m: ReadyMessage) => {
        if (m?.type === 'ready') resolve(m);
      }),
    ),
    exit.then((e) => Promise.reject(new Error(`${name} exited before ready (${e.code}): ${err}`))),
  ]);
  return { child, ready, stdout: () => out, exit };
}

describe('a service process', () => {
  it('catalog: sends ready over IPC, serves /health, logs JSON, exits 0 when the IPC channel goes', async () => {
    const s = await start('catalog', { PORT: '0', INSTANCE_ID: 'catalog-proc' });
    expect(s.ready).toEqual({
      type: 'ready',
      service: 'catalog',
      instance: 'catalog-proc',
      port: expect.any(Number),
      adminPort: s.ready.port,
    });
    const health = await probe(agent, `http://127.0.0.1:${s.ready.port}/health`);
    expect(health.json()).toEqual({ status: 'ok', instance: 'catalog-proc' });
    const listening = s
      .stdout()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'listening');
    expect(listening).toMatchObject({
      level: 'info',
      service: 'catalog',
      instance: 'catalog-proc',
      port: s.ready.port,
    });
    s.child.disconnect(); // the launcher died
    expect(await s.exit).toEqual({ code: 0, signal: null });
    expect(isGone(s.child.pid!)).toBe(true);
    await expect(probe(agent, `http://127.0.0.1:${s.ready.port}/health`)).rejects.toThrow();
  });

  it('pricing: reports its admin port, exits 0 on SIGTERM', async () => {
    const s = await start('pricing', { INSTANCE_ID: 'pricing-proc', ADMIN_PORT: '0' });
    expect(s.ready.service).toBe('pricing');
    expect(s.ready.adminPort).not.toBe(s.ready.port);
    const health = await probe(agent, `http://127.0.0.1:${s.ready.adminPort}/health`);
    expect(health.status).toBe(200);
    s.child.kill('SIGTERM');
    expect(await s.exit).toEqual({ code: 0, signal: null });
    expect(isGone(s.child.pid!)).toBe(true);
  });
});
