// The CLI as a child process: registry from the environment, proxying, clean exit on SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type Backend, send, startBackend, until } from './helpers.js';

const CLI = fileURLToPath(new URL('../src/gateway-cli.ts', import.meta.url));
const children: ChildProcess[] = [];
let backend: Backend | undefined;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    expect(alive(child.pid!)).toBe(false);
  }
  await backend?.close();
});

describe('gateway-cli', () => {
  it('serves BREAKWATER_STATIC_SERVICES on --port and exits 0 on SIGTERM', async () => {
    backend = await startBackend('cli-backend');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=breakwater-source', CLI, '--port', '0'],
      {
        env: { ...process.env, BREAKWATER_STATIC_SERVICES: `echo=127.0.0.1:${backend.port}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
    });
    await until(() => /"gateway listening"/.test(out) || child.exitCode !== null, 30_000);
    expect(child.exitCode, err).toBeNull();
    const port = Number(/"port":(\d+)/.exec(out)![1]);
    const r = await send(port, '/echo/hello?x=1');
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ id: 'cli-backend', url: '/hello?x=1' });
    expect((await send(port, '/_gateway/health')).status).toBe(200);
    const metrics = await send(port, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body.toString()).toContain('breakwater_client_requests_total');
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(out).toContain('"shutting down"');
    expect(alive(child.pid!)).toBe(false);
  });

  it('exits 2 with the usage on a bad argument', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=breakwater-source', CLI, '--port', 'x'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    children.push(child);
    let err = '';
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(err).toMatch(/--port must be an integer/);
  });
});
