// Model-based test of the retry state machine of one call: a fake undici Pool answers each
// attempt from a generated script (statuses, connect errors, resets); a small reference model says
// how many attempts must be made and what the caller must see.

import diagnostics from 'node:diagnostics_channel';
import { createHttpClient, type HttpClient, isRequestFailedError } from '@breakwater/client';
import { StaticRegistry } from '@breakwater/discovery';
import { immediate } from '@breakwater/retry';
import fc from 'fast-check';
import { type Dispatcher, Pool } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestClock } from './helpers/servers.js';

type Step = { status: number } | { code: string };

interface Sent {
  readonly opts: Dispatcher.DispatchOptions;
}

let script: Step[] = [];
const sent: Sent[] = [];
const original = Pool.prototype.dispatch;

beforeAll(() => {
  Pool.prototype.dispatch = ((opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => {
    const step = script[sent.length];
    sent.push({ opts });
    const h = handler as Required<
      Pick<Dispatcher.DispatchHandler, 'onConnect' | 'onHeaders' | 'onData' | 'onComplete' | 'onError'>
    >;
    queueMicrotask(() => {
      h.onConnect(() => undefined);
      if (step === undefined) {
        h.onError(new Error('script exhausted'));
      } else if ('status' in step) {
        h.onHeaders(step.status, [], () => undefined, '');
        h.onData(Buffer.from('body'));
        h.onComplete([]);
      } else {
        h.onError(Object.assign(new Error(step.code), { code: step.code }));
      }
    });
    return true;
  }) as typeof Pool.prototype.dispatch;
});

afterAll(() => {
  Pool.prototype.dispatch = original;
});

const RETRY_STATUS = new Set([429, 502, 503, 504]);
const CONNECT = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT']);
const AFTER_SEND = new Set(['ECONNRESET', 'UND_ERR_SOCKET']);

/** The reference: attempts made and what the caller sees. */
function model(
  steps: Step[],
  idempotent: boolean,
  maxAttempts: number,
): { attempts: number; final: Step; reason?: string } {
  for (let i = 0; ; i++) {
    const step = steps[i]!;
    const last = i + 1 >= maxAttempts;
    if ('status' in step) {
      if (RETRY_STATUS.has(step.status) && idempotent && !last) continue;
      return { attempts: i + 1, final: step };
    }
    const retryable = CONNECT.has(step.code) || (AFTER_SEND.has(step.code) && idempotent);
    if (retryable && !last) continue;
    return { attempts: i + 1, final: step, reason: retryable ? 'attempts-exhausted' : 'not-retryable' };
  }
}

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.constantFrom(200, 201, 404, 429, 500, 502, 503, 504).map((status) => ({ status })),
  fc
    .constantFrom('ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ECONNRESET', 'UND_ERR_SOCKET', 'EINVAL')
    .map((code) => ({ code })),
);

const endpoints: string[] = [];
const onAttempt = (m: unknown): void => {
  endpoints.push((m as { endpoint: string }).endpoint);
};
beforeAll(() => diagnostics.subscribe('breakwater:attempt:start', onAttempt));
afterAll(() => diagnostics.unsubscribe('breakwater:attempt:start', onAttempt));

let clients: HttpClient[] = [];
afterAll(async () => {
  for (const c of clients) await c.close();
  clients = [];
});

it('attempts, endpoints and the caller-visible outcome follow the reference model', async () => {
  const registry = new StaticRegistry({
    catalog: [
      { id: 'a', host: '127.0.0.1', port: 1 },
      { id: 'b', host: '127.0.0.1', port: 2 },
      { id: 'c', host: '127.0.0.1', port: 3 },
    ],
  });
  const byMax = new Map<number, HttpClient>();
  const clientFor = (maxAttempts: number): HttpClient => {
    let c = byMax.get(maxAttempts);
    if (c === undefined) {
      c = createHttpClient({
        registry,
        clock: new TestClock(),
        timerResolutionMs: 1,
        services: {
          catalog: {
            balancer: { policy: 'round-robin' },
            endpointBreaker: false,
            serviceBreaker: false,
            budget: false,
            timeoutMs: 0,
            retry: { maxAttempts, backoff: immediate },
          },
        },
      });
      byMax.set(maxAttempts, c);
      clients.push(c);
    }
    return c;
  };
  await fc.assert(
    fc.asyncProperty(
      fc.array(stepArb, { minLength: 4, maxLength: 4 }),
      fc.constantFrom('GET', 'PUT', 'POST'),
      fc.integer({ min: 1, max: 4 }),
      async (steps, method, maxAttempts) => {
        script = steps;
        sent.length = 0;
        endpoints.length = 0;
        const client = clientFor(maxAttempts);
        const expected = model(steps, method !== 'POST', maxAttempts);
        const events: string[] = [];
        const done = new Promise<unknown>((resolve) => {
          client.dispatcher.dispatch(
            { origin: 'http://catalog', path: '/m', method, body: method === 'GET' ? null : 'payload' },
            {
              onConnect: () => events.push('connect'),
              onHeaders: (status: number) => {
                events.push(`headers ${status}`);
                return true;
              },
              onData: () => true,
              onComplete: () => {
                events.push('complete');
                resolve(undefined);
              },
              onError: (err: Error) => {
                events.push('error');
                resolve(err);
              },
            },
          );
        });
        const result = await done;
        // Let any wrongly scheduled extra attempt show up before counting.
        await new Promise((r) => setTimeout(r, 3));
        expect(sent).toHaveLength(expected.attempts);
        if ('status' in expected.final) {
          expect(events).toEqual(['connect', `headers ${expected.final.status}`, 'complete']);
        } else {
          expect(events).toEqual(['connect', 'error']);
          expect(isRequestFailedError(result)).toBe(true);
          expect((result as { reason: string }).reason).toBe(expected.reason);
          expect(((result as Error).cause as { code: string }).code).toBe(expected.final.code);
        }
        // Every attempt carried the body and its own traceparent.
        const tps = new Set<string>();
        for (const s of sent) {
          const h = s.opts.headers as string[];
          tps.add(h[h.indexOf('traceparent') + 1]!);
          expect(s.opts.body ?? null).toBe(method === 'GET' ? null : 'payload');
        }
        expect(tps.size).toBe(sent.length);
        // A retry prefers an endpoint the call has not tried (three endpoints).
        expect(new Set(endpoints.slice(0, 3)).size).toBe(Math.min(3, sent.length));
        // The balancer saw every attempt end: nothing left in flight.
        for (const e of client.endpoints('catalog')) expect(e.inflight).toBe(0);
      },
    ),
    { seed: 20261126, numRuns: 1000 },
  );
});
