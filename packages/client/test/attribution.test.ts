// Whose fault is it: a call's own deadline cutting an attempt is the call's end, not the endpoint's
// failure (Envoy's local-origin split, Finagle's interrupts). Before this, a burst of deadline cuts on
// a healthy endpoint (an event-loop stall, a slow body read) opened its breaker and ejected it.
import { createHttpClient } from '@breakwater/client';
import { createGrpcClient } from '@breakwater/client/grpc';
import { StaticRegistry } from '@breakwater/discovery';
import * as grpc from '@grpc/grpc-js';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { unary } from './grpc/client.js';
import { Greeter, type GrpcTestServer, startGrpcServers } from './grpc/servers.js';
import { EventLog, staticRegistry } from './helpers/client.js';
import { startServers, type TestServer } from './helpers/servers.js';

let servers: TestServer[] = [];
let grpcServers: GrpcTestServer[] = [];
const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await Promise.all(servers.map((s) => s.stop()));
  await Promise.all(grpcServers.map((s) => s.close()));
  servers = [];
  grpcServers = [];
});

// More deadline cuts than the default endpoint breaker (5 consecutive failures) and outlier
// detection (5 consecutive errors) tolerate.
const CUTS = 8;

describe("the call's own deadline is not the endpoint's fault", () => {
  it('HTTP: attempts cut by the deadline are cancelled, the breaker stays closed, the endpoint serves the next call', async () => {
    servers = await startServers(1);
    const events = new EventLog('breakwater:attempt:end');
    closers.push(async () => events.stop());
    const client = createHttpClient({
      registry: staticRegistry(servers),
      services: { catalog: { timeoutMs: 100, serviceBreaker: false } },
    });
    closers.push(() => client.close());
    servers[0]!.fault = { kind: 'hang' };
    for (let i = 0; i < CUTS; i++) {
      const err = await request('http://catalog/x', { dispatcher: client.dispatcher }).catch((e) => e);
      expect(err.code).toBe('BREAKWATER_DEADLINE_EXCEEDED'); // the fault took effect
    }
    // At least the breaker's threshold of attempts were cut (a call cut before its attempt left,
    // on a loaded host, would have none), and every one was recorded as the call's end.
    const outcomes = events.of('breakwater:attempt:end').map((m) => m.outcome);
    expect(outcomes.length).toBeGreaterThanOrEqual(5);
    expect(new Set(outcomes)).toEqual(new Set(['cancelled']));
    expect(client.endpoints('catalog')[0]).toMatchObject({ breaker: 'closed', ejected: false });
    servers[0]!.fault = { kind: 'ok' };
    const before = servers[0]!.requests;
    const res = await request('http://catalog/x', { dispatcher: client.dispatcher });
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    expect(servers[0]!.requests).toBe(before + 1);
  });

  it('gRPC: DEADLINE_EXCEEDED from the call deadline is cancelled, the breaker stays closed, the endpoint serves the next call', async () => {
    grpcServers = await startGrpcServers(1);
    const registry = new StaticRegistry({ greeter: [grpcServers[0]!.address] });
    const events = new EventLog('breakwater:attempt:end');
    closers.push(async () => events.stop());
    const client = createGrpcClient(Greeter, {
      registry,
      service: 'greeter',
      idempotentMethods: ['SayHello'],
      timeoutMs: 100,
      serviceBreaker: false,
    });
    closers.push(async () => {
      await client.close();
      await registry.close();
    });
    grpcServers[0]!.fault = { kind: 'hang' };
    for (let i = 0; i < CUTS; i++) {
      const r = await unary(client.SayHello, { name: 'x' });
      expect(r.error?.code).toBe(grpc.status.DEADLINE_EXCEEDED); // the fault took effect
    }
    const outcomes = events.of('breakwater:attempt:end').map((m) => m.outcome);
    expect(outcomes.length).toBeGreaterThanOrEqual(5);
    expect(new Set(outcomes)).toEqual(new Set(['cancelled']));
    grpcServers[0]!.fault = { kind: 'ok' };
    const before = grpcServers[0]!.calls('SayHello');
    const r = await unary(client.SayHello, { name: 'ok' });
    expect(r.value?.message).toBe('hello ok');
    expect(grpcServers[0]!.calls('SayHello')).toBe(before + 1);
  });

  it('a per-try timeout still counts against the endpoint (it was slow): the breaker opens', async () => {
    servers = await startServers(1);
    const client = createHttpClient({
      registry: staticRegistry(servers),
      services: {
        catalog: { perTryTimeoutMs: 20, timeoutMs: 5_000, retry: false, serviceBreaker: false },
      },
    });
    closers.push(() => client.close());
    servers[0]!.fault = { kind: 'hang' };
    for (let i = 0; i < 5; i++) {
      const err = await request('http://catalog/x', { dispatcher: client.dispatcher }).catch((e) => e);
      expect([err.code, err.cause?.code]).toEqual([
        'BREAKWATER_REQUEST_FAILED',
        'BREAKWATER_PER_TRY_TIMEOUT',
      ]);
    }
    expect(client.endpoints('catalog')[0]!.breaker).toBe('open');
  });
});
