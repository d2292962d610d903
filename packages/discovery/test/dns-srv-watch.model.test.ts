import {
  createEndpoint,
  RegistryUnavailableError,
  refreshDelay,
  type Snapshot,
  type SrvSelection,
  type WatchEvent,
} from '@breakwater/discovery';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/backoff.js';
import { resolveDnsSrvOptions } from '../src/dns-srv-options.js';
import { DnsSrvWatch } from '../src/dns-srv-watch.js';
import { WatchHub } from '../src/watch-hub.js';

// The refresh loop (DnsSrvWatch) behind a WatchHub, driven step by step: each command answers the
// pending lookup, then the test checks the events the listener got and the delay the loop asked to
// sleep, against a reference model. Answers are injected (the lookup against dnsmasq is tested elsewhere).

const SETS: Record<string, SrvSelection['endpoints']> = {
  A: [createEndpoint({ host: '10.0.0.1', port: 80, weight: 1 })],
  B: [
    createEndpoint({ host: '10.0.0.1', port: 80, weight: 1 }),
    createEndpoint({ host: '10.0.0.2', port: 80 }),
  ],
  // Same content as A, another object: must not be re-emitted.
  A2: [createEndpoint({ host: '10.0.0.1', port: 80, weight: 1 })],
  // NXDOMAIN/NODATA: lookupSrv answers an empty selection.
  E: [],
};
const contentKey = (k: string) => (k === 'A2' ? 'A' : k);

interface Model {
  snapshot: string | undefined;
  attempt: number;
}

/** Settles with p, or rejects with the signal's reason when it aborts first; leaves no listener behind. */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A deferred the loop's next lookup or sleep is parked on. */
class Gate<T> {
  #waiters: ((v: { value: T; release: (r: unknown, ok: boolean) => void }) => void)[] = [];
  #parked: { value: T; release: (r: unknown, ok: boolean) => void }[] = [];
  park(value: T): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const item = { value, release: (r: unknown, ok: boolean) => (ok ? resolve(r) : reject(r)) };
      const w = this.#waiters.shift();
      if (w) w(item);
      else this.#parked.push(item);
    });
  }
  next(): Promise<{ value: T; release: (r: unknown, ok: boolean) => void }> {
    const p = this.#parked.shift();
    if (p) return Promise.resolve(p);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

interface Real {
  lookups: Gate<string>;
  sleeps: Gate<number>;
  events: WatchEvent[];
  last: Snapshot | undefined;
}

const MIN = 1_000;
const MAX = 20_000;
const options = resolveDnsSrvOptions({
  minTtlMs: MIN,
  maxTtlMs: MAX,
  backoff: { initialMs: 100, maxMs: 3_000, multiplier: 2 },
  random: () => 0.75,
});

/** Answers the pending lookup, then checks the events and the requested sleep. */
async function step(
  m: Model,
  r: Real,
  answer: { set: string; ttl: number | undefined } | 'fail',
): Promise<void> {
  const lookup = await r.lookups.next();
  expect(lookup.value).toBe('_http._tcp.svc');
  const before = r.events.length;
  let expectedSleep: number;
  if (answer === 'fail') {
    m.attempt++;
    lookup.release(new RegistryUnavailableError('DNS lookup failed: ETIMEOUT'), false);
    expectedSleep = backoffDelay(options.backoff, m.attempt, options.random);
  } else {
    m.attempt = 0;
    lookup.release({ endpoints: SETS[answer.set]!, ttl: answer.ttl, priority: 0 }, true);
    expectedSleep = refreshDelay(answer.ttl, MIN, MAX);
  }
  const sleep = await r.sleeps.next();
  expect(sleep.value).toBe(expectedSleep);
  const got = r.events.slice(before);
  if (answer === 'fail') {
    expect(got).toHaveLength(1);
    const e = got[0]!;
    expect(e.type).toBe('error');
    // Stale-on-error: the last good snapshot (same object) rides along.
    expect(e.endpoints).toBe(r.last);
  } else {
    const key = contentKey(answer.set);
    if (m.snapshot === key) {
      expect(got).toEqual([]);
    } else {
      expect(got).toHaveLength(1);
      const e = got[0]!;
      expect(e.type).toBe('endpoints');
      expect(e.endpoints?.map((x) => x.id)).toEqual(SETS[key]!.map((x) => x.id).sort());
      r.last = e.endpoints;
      m.snapshot = key;
    }
  }
  sleep.release(undefined, true);
}

class Answer implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly set: string,
    readonly ttl: number | undefined,
  ) {}
  check = () => true;
  run = (m: Model, r: Real) => step(m, r, { set: this.set, ttl: this.ttl });
  toString = () => `Answer(${this.set}, ttl=${this.ttl})`;
}

class Fail implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  run = (m: Model, r: Real) => step(m, r, 'fail');
  toString = () => 'Fail';
}

describe('DnsSrvWatch refresh loop (model-based)', () => {
  it('publishes changed snapshots only, keeps the last good one on errors, sleeps TTL-clamped or backs off', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.commands(
          [
            fc
              .tuple(
                fc.constantFrom('A', 'B', 'A2', 'E'),
                fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
              )
              .map(([set, ttl]) => new Answer(set, ttl)),
            fc.constant(new Fail()),
          ],
          { maxCommands: 25 },
        ),
        async (cmds) => {
          const real: Real = { lookups: new Gate(), sleeps: new Gate(), events: [], last: undefined };
          let watch: DnsSrvWatch | undefined;
          const o = {
            ...options,
            srvName: (s: string) => `_http._tcp.${s}`,
            sleep: async (ms: number, signal: AbortSignal) => {
              await abortable(real.sleeps.park(ms), signal);
            },
          };
          const hub = new WatchHub(
            (service, sink) => {
              watch = new DnsSrvWatch(
                service,
                o,
                sink,
                { debug() {}, warn() {} },
                (name, signal) => abortable(real.lookups.park(name), signal) as Promise<SrvSelection>,
              );
              return () => watch!.stop();
            },
            (error) => {
              throw error;
            },
          );
          const dispose = hub.subscribe('svc', (e) => real.events.push(e));
          await fc.asyncModelRun(() => ({ model: { snapshot: undefined, attempt: 0 }, real }), cmds);
          // Disposing the last listener stops the loop: its pending wait is aborted, nothing more runs.
          dispose();
          await watch!.done;
          expect(hub.size).toBe(0);
        },
      ),
      { seed: 1214, numRuns: 1000 },
    );
  });
});
