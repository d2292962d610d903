import {
  ConsulClient,
  ConsulRegistry,
  isRegistryUnavailableError,
  type Logger,
  registerService,
  type Sleep,
} from '@breakwater/discovery';
import { ConsulSimulator, ManualClock, type SimulatorFault } from '@breakwater/discovery/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, ids, Recorder } from './helpers.js';

const TOKEN = 'tok-9f2c4e1a-secret';

function captureLogger(lines: string[]): Logger {
  const write = (level: string) => (message: string, fields?: Readonly<Record<string, unknown>>) => {
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  };
  return { debug: write('debug'), warn: write('warn') };
}

function register(sim: ConsulSimulator, name: string, id: string, port: number) {
  sim.state.register({ Name: name, ID: id, Port: port, Address: '127.0.0.1' });
}

describe('ConsulRegistry under simulator faults', () => {
  let sim: ConsulSimulator;
  let client: ConsulClient;
  let registry: ConsulRegistry;
  let rec: Recorder;
  const lines: string[] = [];

  beforeEach(async () => {
    lines.length = 0;
    sim = await ConsulSimulator.start({ requireToken: TOKEN });
    const logger = captureLogger(lines);
    client = new ConsulClient({ address: sim.address, token: TOKEN, logger });
    registry = new ConsulRegistry({
      client,
      logger,
      minIntervalMs: 0,
      waitMs: 300,
      timeoutMarginMs: 100,
      backoff: { initialMs: 1, maxMs: 5 },
    });
    register(sim, 'api', 'api-1', 8001);
    rec = new Recorder(registry, 'api');
    await rec.until((s) => s.length === 1);
    await sim.waitForParked(1, 'api');
  });

  afterEach(async () => {
    rec.dispose();
    await registry.close();
    await client.close();
    await sim.close();
  });

  const faults: [string, SimulatorFault][] = [
    ['HTTP 500', { kind: 'http500' }],
    ['invalid JSON', { kind: 'invalid-json' }],
    ['connection reset', { kind: 'reset' }],
    ['a slow answer beyond the client timeout', { kind: 'slow', delayMs: 5_000 }],
  ];

  it.each(faults)('%s leaves the last good snapshot in force and the watch recovers', async (_, fault) => {
    const before = rec.snapshots.at(-1);
    sim.injectFault(fault);
    const error = await rec.nextError();
    expect(isRegistryUnavailableError(error)).toBe(true);
    const errorEvent = rec.events.at(-1)!;
    expect(errorEvent.type === 'error' && errorEvent.endpoints).toBe(before);
    register(sim, 'api', 'api-2', 8002);
    expect(ids(await rec.until((s) => s.length === 2))).toEqual(['api-1', 'api-2']);
  });

  it('an outage produces errors (snapshot kept), and the watch recovers when it ends', async () => {
    const before = rec.snapshots.at(-1);
    sim.injectFault({ kind: 'outage' });
    await rec.nextError();
    await rec.nextError();
    expect(rec.snapshots.at(-1)).toBe(before);
    const errorEvent = rec.events.at(-1)!;
    expect(errorEvent.type === 'error' && errorEvent.endpoints).toBe(before);
    register(sim, 'api', 'api-2', 8002);
    sim.clearFaults();
    expect(ids(await rec.until((s) => s.length === 2))).toEqual(['api-1', 'api-2']);
  });

  it('an index that goes backwards resets to a non-blocking read, then blocks on the new index', async () => {
    const indexBefore = sim.state.serviceIndex('api');
    const seen = sim.requests.length;
    const eventsBefore = rec.events.length;
    sim.injectFault({ kind: 'index-backwards', by: indexBefore - 2 });
    await sim.waitForParked(1, 'api');
    await eventually(() => sim.requests.slice(seen).some((r) => r.blocking), 5_000, 'a new blocking read');
    const after = sim.requests.slice(seen).filter((r) => r.path === '/v1/health/service/api');
    // After the backwards answer: one read without index (reset to 0), then blocking on the lower index.
    expect(after[0]!.index).toBeUndefined();
    const blocking = after.find((r) => r.blocking)!;
    expect(blocking.index).toBeLessThan(indexBefore);
    expect(blocking.index).toBeGreaterThanOrEqual(1);
    // Same endpoints: no event was emitted.
    expect(rec.events.length).toBe(eventsBefore);
    register(sim, 'api', 'api-2', 8002);
    await rec.until((s) => s.length === 2);
  });

  it('never sends the ACL token in a URL or a log line', async () => {
    const reg = await registerService(client, {
      name: 'api',
      id: 'api-9',
      port: 8009,
      check: { type: 'ttl', ttlMs: 60_000 },
    });
    await rec.until((s) => s.length === 2);
    sim.injectFault({ kind: 'http500' });
    await rec.nextError();
    await reg.warn('degraded');
    await registry.resolve('api').catch(() => {});
    await reg.close();
    await rec.until((s) => s.length === 1);
    expect(sim.requests.length).toBeGreaterThan(5);
    for (const r of sim.requests) {
      expect(r.token).toBe(TOKEN);
      expect(r.url).not.toContain(TOKEN);
      expect(r.query.has('token')).toBe(false);
    }
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toContain(TOKEN);
  });
});

describe('ConsulRegistry access control', () => {
  it('reports a wrong token as an error without echoing it', async () => {
    const sim = await ConsulSimulator.start({ requireToken: TOKEN });
    const lines: string[] = [];
    const registry = new ConsulRegistry({
      connection: { address: sim.address, token: 'wrong-token-abc', logger: captureLogger(lines) },
      logger: captureLogger(lines),
      minIntervalMs: 0,
      backoff: { initialMs: 1, maxMs: 2 },
    });
    try {
      const rec = new Recorder(registry, 'api');
      const error = await rec.nextError();
      expect(error.message).toContain('403');
      expect(error.message).not.toContain('wrong-token-abc');
      for (const line of lines) expect(line).not.toContain('wrong-token-abc');
    } finally {
      await registry.close();
      await sim.close();
    }
  });
});

describe('ConsulRegistry watch loop timing', () => {
  it('backs off exponentially with full jitter after errors and resets after a success', async () => {
    const sim = await ConsulSimulator.start();
    const clock = new ManualClock();
    const sleeps: number[] = [];
    const sleep: Sleep = async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    };
    sim.injectFault({ kind: 'http500' }, { times: 6 });
    const registry = new ConsulRegistry({
      connection: { address: sim.address },
      clock,
      random: () => 0.5,
      sleep,
      minIntervalMs: 0,
      backoff: { initialMs: 100, maxMs: 1_000, multiplier: 2 },
    });
    try {
      const rec = new Recorder(registry, 'api');
      await rec.until(() => true);
      expect(rec.errors).toHaveLength(6);
      expect(sleeps.filter((s) => s > 0)).toEqual([50, 100, 200, 400, 500, 500]);
    } finally {
      await registry.close();
      await sim.close();
    }
  });

  it('rate-limits the loop: requests start at least minIntervalMs apart', async () => {
    const sim = await ConsulSimulator.start();
    const clock = new ManualClock();
    const sleeps: number[] = [];
    const sleep: Sleep = async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    };
    sim.injectFault({ kind: 'http500' }, { times: 3 });
    const registry = new ConsulRegistry({
      connection: { address: sim.address },
      clock,
      sleep,
      minIntervalMs: 1_000,
      backoff: { initialMs: 0, maxMs: 0 },
    });
    try {
      const rec = new Recorder(registry, 'api');
      await rec.until(() => true);
      // Three failed requests, each followed by a zero backoff, so the rate limit alone spaced them.
      const waits = sleeps.filter((s) => s > 0);
      expect(waits.length).toBeGreaterThanOrEqual(3);
      expect(waits.every((s) => s === 1_000)).toBe(true);
      const reads = sim.requests.filter((r) => r.path === '/v1/health/service/api');
      expect(reads.length).toBeGreaterThanOrEqual(4);
    } finally {
      await registry.close();
      await sim.close();
    }
  });

  it('sends dc, stale, tag and passing, and a wait within Consul limits', async () => {
    const sim = await ConsulSimulator.start({ datacenter: 'eu1' });
    register(sim, 'api', 'api-1', 8001);
    const registry = new ConsulRegistry({
      connection: { address: sim.address },
      dc: 'eu1',
      stale: true,
      tags: ['a', 'b'],
      waitMs: 60_000,
      minIntervalMs: 0,
    });
    try {
      const rec = new Recorder(registry, 'api');
      await rec.until(() => true);
      await sim.waitForParked(1, 'api');
      const blocking = sim.requests.find((r) => r.blocking)!;
      expect(blocking.query.get('dc')).toBe('eu1');
      expect(blocking.query.has('stale')).toBe(true);
      expect(blocking.query.getAll('tag')).toEqual(['a', 'b']);
      expect(blocking.query.get('passing')).toBe('true');
      const [, amount, unit] = /^(\d+)(ms|s)$/.exec(blocking.query.get('wait')!)!;
      const waitMs = Number(amount) * (unit === 's' ? 1000 : 1);
      expect(waitMs).toBeGreaterThanOrEqual(54_000);
      expect(waitMs).toBeLessThanOrEqual(60_000);
    } finally {
      await registry.close();
      await sim.close();
    }
  });
});
