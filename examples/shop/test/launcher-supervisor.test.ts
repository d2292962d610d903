import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ChildStartError } from '../src/launcher/errors.js';
import { type ChildSpec, Supervisor, type SupervisorEvent } from '../src/launcher/supervisor.js';
import { FIXTURE, isGone, waitFor } from './fixtures/helpers.js';

function spec(id: string, env: Record<string, string> = {}): ChildSpec {
  return { id, service: id.replace(/-\d+$/, ''), entry: FIXTURE, env: { PORT: '0', ...env } };
}

async function health(port: number): Promise<number> {
  const res = await request(`http://127.0.0.1:${port}/health`);
  await res.body.dump();
  return res.statusCode;
}

const supervisors: Supervisor[] = [];
function supervisor(options: ConstructorParameters<typeof Supervisor>[0] = {}): Supervisor {
  const s = new Supervisor(options);
  supervisors.push(s);
  return s;
}

afterEach(async () => {
  for (const s of supervisors.splice(0)) {
    await s.stop();
    for (const pid of s.pids()) expect(isGone(pid)).toBe(true);
  }
});

describe('Supervisor', () => {
  it('starts children in parallel, learns their ports over IPC, and stop() leaves no process', async () => {
    const s = supervisor();
    const [a, b] = await Promise.all([s.start(spec('catalog-1')), s.start(spec('pricing-1'))]);
    expect(a?.port).toBeGreaterThan(0);
    expect(a?.adminPort).toBe(a?.port);
    expect(b?.adminPort).not.toBe(b?.port); // pricing's admin server is separate
    expect(await health(a!.port)).toBe(200);
    expect(await health(b!.adminPort)).toBe(200);
    expect(s.children().map((c) => c.id)).toEqual(['catalog-1', 'pricing-1']);
    expect(s.logs('catalog-1').some((l) => l.includes('"listening"'))).toBe(true);
    const pids = s.pids();
    expect(pids).toHaveLength(2);
    await s.stop();
    for (const pid of pids) expect(isGone(pid)).toBe(true);
    expect(s.children()).toEqual([]);
  });

  it('kill -9 keeps a child down until restart(), which brings it back on the same ports', async () => {
    const events: SupervisorEvent[] = [];
    const s = supervisor({ onEvent: (e) => events.push(e), restartDelayMs: 0 });
    const first = await s.start(spec('pricing-3'));
    await s.kill('pricing-3');
    expect(isGone(first.pid)).toBe(true);
    expect(s.get('pricing-3')).toBeUndefined();
    const exit = events.find((e) => e.type === 'exit');
    expect(exit).toMatchObject({ type: 'exit', id: 'pricing-3', signal: 'SIGKILL', expected: true });
    // A wanted exit is not restarted behind our back: nothing new is spawned.
    expect(s.pids()).toHaveLength(1);
    const second = await s.restart('pricing-3');
    expect(second.pid).not.toBe(first.pid);
    expect(second.port).toBe(first.port);
    expect(second.adminPort).toBe(first.adminPort);
    expect(await health(second.adminPort)).toBe(200);
    expect(events.filter((e) => e.type === 'ready').map((e) => e.type === 'ready' && e.restarted)).toEqual([
      false,
      true,
    ]);
  });

  it('reports an unexpected exit and restarts the child on the same port', async () => {
    const events: SupervisorEvent[] = [];
    const s = supervisor({ onEvent: (e) => events.push(e), restartDelayMs: 10 });
    const first = await s.start(spec('cart-2'));
    process.kill(first.pid, 'SIGKILL'); // not through the supervisor: a crash
    await waitFor(() => events.some((e) => e.type === 'ready' && e.restarted));
    const exit = events.find((e) => e.type === 'exit');
    expect(exit).toMatchObject({ id: 'cart-2', expected: false, signal: 'SIGKILL' });
    expect(exit?.type === 'exit' && exit.lastLines.some((l) => l.includes('listening'))).toBe(true);
    const again = s.get('cart-2');
    expect(again?.port).toBe(first.port);
    expect(again?.pid).not.toBe(first.pid);
    expect(isGone(first.pid)).toBe(true);
  });

  it('rejects with the last log lines when a child exits before it is ready, and does not restart it', async () => {
    const s = supervisor({ restartDelayMs: 0 });
    const err = await s.start(spec('catalog-1', { FIXTURE_MODE: 'crash' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChildStartError);
    expect((err as ChildStartError).message).toMatch(/catalog-1 exited \(code 3/);
    expect((err as ChildStartError).lastLines.join('\n')).toContain('fixture crashing on purpose');
    expect(s.pids()).toHaveLength(1);
    expect(isGone(s.pids()[0]!)).toBe(true);
  });

  it('kills a child that does not report ready in time', async () => {
    const s = supervisor({ readyTimeoutMs: 1_500 });
    const err = await s.start(spec('cart-1', { FIXTURE_MODE: 'never-ready' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChildStartError);
    expect((err as Error).message).toMatch(/did not report ready within 1500 ms/);
    expect((err as ChildStartError).lastLines.join('\n')).toContain('listening');
    await waitFor(() => isGone(s.pids()[0]!));
  });

  it('stop() escalates to SIGKILL for a child that ignores SIGTERM', async () => {
    const events: SupervisorEvent[] = [];
    const s = supervisor({ stopTimeoutMs: 300, onEvent: (e) => events.push(e) });
    const c = await s.start(spec('catalog-2', { FIXTURE_MODE: 'ignore-sigterm' }));
    await s.stop();
    expect(isGone(c.pid)).toBe(true);
    expect(events.find((e) => e.type === 'exit')).toMatchObject({ signal: 'SIGKILL', expected: true });
    await expect(s.start(spec('catalog-3'))).rejects.toThrow(/stopping/);
  });

  it('validates its options', () => {
    expect(() => new Supervisor({ readyTimeoutMs: 0 })).toThrow(/readyTimeoutMs/);
    expect(() => new Supervisor({ maxRestarts: -1 })).toThrow(/maxRestarts/);
  });
});
