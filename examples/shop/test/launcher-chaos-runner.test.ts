import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type AppliedChaos, ChaosRunner } from '../src/launcher/chaos-runner.js';
import type { ChaosEvent } from '../src/launcher/chaos-schedule.js';
import { waitFor } from './fixtures/helpers.js';

function event(atMs: number, action: ChaosEvent['action']): ChaosEvent {
  return { atMs, fraction: 0, action, label: `${action.kind} @${atMs}`, services: [] };
}

describe('ChaosRunner', () => {
  it('applies each event in order: faults by POST /admin/faults, kill and restart through the deps', async () => {
    const posted: unknown[] = [];
    const admin = createServer(async (req, res) => {
      let body = '';
      for await (const c of req as AsyncIterable<Buffer>) body += c.toString();
      expect([req.method, req.url, req.headers['content-type']]).toEqual([
        'POST',
        '/admin/faults',
        'application/json',
      ]);
      posted.push(JSON.parse(body));
      res.end(body);
    });
    admin.listen(0, '127.0.0.1');
    await once(admin, 'listening');
    const port = (admin.address() as AddressInfo).port;
    const calls: string[] = [];
    const applied: AppliedChaos[] = [];
    const started: string[] = [];
    const runner = new ChaosRunner(
      [
        event(0, { kind: 'faults', target: 'catalog-1', spec: { error: { rate: 0.5 } } }),
        event(20, { kind: 'kill', target: 'pricing-3' }),
        event(40, { kind: 'restart', target: 'pricing-3' }),
        event(60, { kind: 'clear', targets: ['catalog-1', 'cart-2'] }),
        event(80, { kind: 'faults', target: 'gone-1', spec: {} }),
      ],
      {
        adminPort: (id) => (id === 'gone-1' ? undefined : port),
        kill: async (id) => void calls.push(`kill ${id}`),
        restart: async (id) => void calls.push(`restart ${id}`),
      },
      { onStarted: (e) => started.push(e.label), onApplied: (a) => applied.push(a) },
    );
    runner.start(performance.now());
    await waitFor(() => applied.length === 5);
    expect(started).toEqual(['faults @0', 'kill @20', 'restart @40', 'clear @60', 'faults @80']);
    expect(calls).toEqual(['kill pricing-3', 'restart pricing-3']);
    expect(posted).toEqual([{ error: { rate: 0.5 } }, {}, {}]);
    // Reported on completion, so in any order.
    expect(Object.fromEntries(applied.map((a) => [a.event.label, a.result]))).toEqual({
      'faults @0': 'done',
      'kill @20': 'done',
      'restart @40': 'done',
      'clear @60': 'done',
      'faults @80': 'failed: gone-1 is not running',
    });
    for (const a of applied) expect(a.atMs).toBeGreaterThanOrEqual(a.startedAtMs);
    admin.close();
  });

  it('reports a refused fault spec with the status and message', async () => {
    const admin = createServer((_req, res) => {
      res.statusCode = 400;
      res.end('faults.error.rate must be in [0, 1]');
    });
    admin.listen(0, '127.0.0.1');
    await once(admin, 'listening');
    const port = (admin.address() as AddressInfo).port;
    const applied: AppliedChaos[] = [];
    const runner = new ChaosRunner(
      [event(0, { kind: 'faults', target: 'cart-1', spec: { error: { rate: 2 } } })],
      { adminPort: () => port, kill: async () => {}, restart: async () => {} },
      { onApplied: (a) => applied.push(a) },
    );
    runner.start(performance.now());
    await waitFor(() => applied.length === 1);
    expect(applied[0]?.result).toBe(
      'failed: POST /admin/faults answered 400: faults.error.rate must be in [0, 1]',
    );
    admin.close();
  });

  it('cancel() drops the events not yet due', async () => {
    const calls: string[] = [];
    const runner = new ChaosRunner([event(60_000, { kind: 'kill', target: 'x-1' })], {
      adminPort: () => undefined,
      kill: async (id) => void calls.push(id),
      restart: async () => {},
    });
    runner.start(performance.now());
    await runner.cancel();
    expect(runner.applied).toEqual([]);
    expect(calls).toEqual([]);
  });
});
