import { EventEmitter } from 'node:events';
import { ConsulClient, installGracefulShutdown, registerService } from '@breakwater/discovery';
import { ConsulSimulator } from '@breakwater/discovery/testkit';
import { describe, expect, it } from 'vitest';

class FakeProcess extends EventEmitter {
  readonly exits: number[] = [];
  exit(code: number): void {
    this.exits.push(code);
    this.emit('exited', code);
  }
}

const exited = (p: FakeProcess) => new Promise<number>((r) => p.once('exited', r));

describe('installGracefulShutdown', () => {
  it('on SIGTERM deregisters first, then drains, then exits 0', async () => {
    const sim = await ConsulSimulator.start();
    const client = new ConsulClient({ address: sim.address });
    const reg = await registerService(client, { name: 'api', id: 'api-1', port: 8001 });
    const order: string[] = [];
    const proc = new FakeProcess();
    let releaseDrain!: () => void;
    installGracefulShutdown({
      registrations: [
        {
          close: async () => {
            await reg.close();
            order.push(`deregistered:${sim.state.services.has('api-1')}`);
          },
        },
      ],
      drain: () =>
        new Promise<void>((resolve) => {
          order.push('drain-started');
          releaseDrain = () => {
            order.push('drained');
            resolve();
          };
        }),
      process: proc,
    });
    const done = exited(proc);
    proc.emit('SIGTERM');
    while (releaseDrain === undefined) await new Promise((r) => setImmediate(r));
    expect(proc.exits).toEqual([]); // still draining
    releaseDrain();
    expect(await done).toBe(0);
    expect(order).toEqual(['deregistered:false', 'drain-started', 'drained']);
    expect(proc.listenerCount('SIGTERM')).toBe(0);
    await client.close();
    await sim.close();
  });

  it('bounds the drain: aborts it and exits 1 at the deadline', async () => {
    const proc = new FakeProcess();
    let aborted = false;
    installGracefulShutdown({
      registrations: [],
      drain: (signal) =>
        new Promise<void>(() => {
          signal.addEventListener('abort', () => {
            aborted = true;
          });
        }),
      timeoutMs: 20,
      process: proc,
    });
    const done = exited(proc);
    proc.emit('SIGTERM');
    expect(await done).toBe(1);
    expect(aborted).toBe(true);
  });

  it('a failed deregistration does not stop the drain; shutdown() runs once; dispose() removes listeners', async () => {
    const proc = new FakeProcess();
    let drained = 0;
    const s = installGracefulShutdown({
      registrations: [{ close: () => Promise.reject(new Error('agent down')) }],
      drain: async () => {
        drained++;
      },
      signals: ['SIGTERM', 'SIGINT'],
      process: proc,
    });
    const [a, b] = await Promise.all([s.shutdown(), s.shutdown()]);
    expect([a, b]).toEqual([0, 0]);
    expect(drained).toBe(1);
    expect(proc.exits).toEqual([0]);
    const other = new FakeProcess();
    const t = installGracefulShutdown({ registrations: [], process: other });
    expect(other.listenerCount('SIGTERM')).toBe(1);
    t.dispose();
    expect(other.listenerCount('SIGTERM')).toBe(0);
    expect(() => installGracefulShutdown({ registrations: [], timeoutMs: 0, process: other })).toThrow(
      /timeoutMs/,
    );
  });
});
