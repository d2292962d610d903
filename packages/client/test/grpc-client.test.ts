import { ConsecutiveFailures } from '@breakwater/breaker';
import { createGrpcClient } from '@breakwater/client/grpc';
import { StaticRegistry } from '@breakwater/discovery';
import { parseTraceparent } from '@breakwater/tracing';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { attemptsDuring, readAll, unary } from './grpc/client.js';
import { Greeter, type GrpcTestServer, startGrpcServers, until } from './grpc/servers.js';

let servers: GrpcTestServer[] = [];
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

function setup(n: number, options: Partial<Parameters<typeof createGrpcClient>[1]> = {}) {
  const registry = new StaticRegistry({ greeter: servers.slice(0, n).map((s) => s.address) });
  const client = createGrpcClient(Greeter, {
    registry,
    service: 'greeter',
    idempotentMethods: ['SayHello', 'Count'],
    ...options,
  });
  closers.push(async () => {
    await client.close();
    await registry.close();
  });
  return { client, registry };
}

describe('unary calls', () => {
  it('answers like a grpc-js client, with metadata and status events', async () => {
    servers = await startGrpcServers(2);
    const { client } = setup(2);
    const events: string[] = [];
    const r = await new Promise<unknown>((resolve, reject) => {
      const call = client.sayHello({ name: 'ada' }, (err: grpc.ServiceError | null) => {
        events.push('callback');
        if (err) reject(err);
      });
      call.on('metadata', () => events.push('metadata'));
      call.on('status', (s: grpc.StatusObject) => {
        events.push('status');
        resolve(s);
      });
    });
    expect((r as grpc.StatusObject).code).toBe(grpc.status.OK);
    expect(events).toEqual(['metadata', 'callback', 'status']);
    const { value } = await unary(client.SayHello, { name: 'bob' });
    expect(value?.message).toBe('hello bob');
  });

  it('retries UNAVAILABLE from one instance on another, with a new traceparent per attempt', async () => {
    servers = await startGrpcServers(2);
    const [bad, good] = servers as [GrpcTestServer, GrpcTestServer];
    bad.fault = { kind: 'status', code: grpc.status.UNAVAILABLE };
    const { client } = setup(2, { endpointBreaker: false, balancer: { policy: 'round-robin' } });
    for (let i = 0; i < 10; i++) {
      const r = await unary(client.sayHello, { name: `n${i}` });
      expect(r.error).toBeUndefined();
      expect(r.value?.server).toBe('s1');
    }
    expect(bad.calls('SayHello')).toBeGreaterThan(0);
    // A retried call: the failing attempt and the retry share the trace, not the parent id.
    const badTp = bad.seen.map((s) => parseTraceparent(String(s.metadata.get('traceparent')[0])));
    const goodTp = good.seen.map((s) => parseTraceparent(String(s.metadata.get('traceparent')[0])));
    const pairs = badTp.flatMap((b) => goodTp.filter((g) => g?.traceId === b?.traceId).map((g) => [b, g]));
    expect(pairs.length).toBeGreaterThan(0);
    for (const [b, g] of pairs) expect(b?.parentId).not.toBe(g?.parentId);
    const ids = new Set(good.seen.map((s) => String(s.metadata.get('traceparent')[0])));
    expect(ids.size).toBe(good.seen.length);
  });

  it('runs call interceptors (through grpc-js makeUnaryRequest) on every attempt', async () => {
    servers = await startGrpcServers(2);
    servers[0]!.fault = { kind: 'status', code: grpc.status.UNAVAILABLE };
    const { client } = setup(2, { endpointBreaker: false, balancer: { policy: 'round-robin' } });
    let intercepted = 0;
    const interceptor: grpc.Interceptor = (options, next) =>
      new grpc.InterceptingCall(next(options), {
        start(metadata, listener, nxt) {
          intercepted++;
          metadata.set('x-intercepted', 'yes');
          nxt(metadata, listener);
        },
      });
    for (let i = 0; i < 4; i++) {
      const r = await unary(client.sayHello, { name: 'i' }, { interceptors: [interceptor] });
      expect(r.value?.server).toBe('s1');
    }
    const all = [...servers[0]!.seen, ...servers[1]!.seen];
    expect(intercepted).toBe(all.length);
    expect(all.length).toBeGreaterThan(4);
    for (const s of all) expect(s.metadata.get('x-intercepted')).toEqual(['yes']);
  });

  it('does not retry methods that are not idempotent', async () => {
    servers = await startGrpcServers(2);
    for (const s of servers) s.fault = { kind: 'status', code: grpc.status.UNAVAILABLE };
    const { client } = setup(2, { idempotentMethods: [] });
    const r = await unary(client.sayHello, { name: 'x' });
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(servers[0]!.calls('SayHello') + servers[1]!.calls('SayHello')).toBe(1);
  });

  it('honours grpc-retry-pushback-ms: a negative pushback stops retries, a valid one allows RESOURCE_EXHAUSTED', async () => {
    servers = await startGrpcServers(2);
    for (const s of servers) s.fault = { kind: 'status', code: grpc.status.UNAVAILABLE, pushbackMs: '-1' };
    const { client } = setup(2, { endpointBreaker: false });
    const r = await unary(client.sayHello, { name: 'x' });
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(servers[0]!.calls('SayHello') + servers[1]!.calls('SayHello')).toBe(1);
    for (const s of servers)
      s.fault = { kind: 'status', code: grpc.status.RESOURCE_EXHAUSTED, pushbackMs: '1' };
    const r2 = await unary(client.sayHello, { name: 'y' });
    expect(r2.error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(servers[0]!.calls('SayHello') + servers[1]!.calls('SayHello')).toBe(1 + 3);
  });

  it('ejects a killed instance and moves the traffic to the others', async () => {
    servers = await startGrpcServers(3);
    const dead = servers[0]!;
    // Round-robin keeps offering the dead endpoint (peak EWMA would simply stop choosing it).
    const { client } = setup(3, { balancer: { policy: 'round-robin', outlierDetection: true } });
    await unary(client.sayHello, { name: 'warm' });
    dead.kill();
    const deadId = dead.address;
    // Every call still succeeds (retried elsewhere) while the dead endpoint is taken out.
    const benched = () => client.endpoints().find((e) => e.id === deadId)?.healthy === false;
    for (let i = 0; i < 100 && !benched(); i++) {
      const r = await unary(client.sayHello, { name: `k${i}` });
      expect(r.error).toBeUndefined();
    }
    expect(benched()).toBe(true);
    const { endpoints, result } = await attemptsDuring(async () => {
      const rs = [];
      for (let i = 0; i < 20; i++) rs.push(await unary(client.sayHello, { name: `a${i}` }));
      return rs;
    });
    expect(result.every((r) => r.error === undefined)).toBe(true);
    expect(endpoints).not.toContain(deadId);
    expect(new Set(endpoints).size).toBe(2);
  });

  it('reports DEADLINE_EXCEEDED at the deadline, sends it as grpc-timeout and does not retry past it', async () => {
    servers = await startGrpcServers(2);
    for (const s of servers) s.fault = { kind: 'hang' };
    // A clock that stands still: each attempt is sent at call time 0, so told the whole deadline.
    const { client } = setup(2, { timeoutMs: 300, clock: { now: () => 1_000 } });
    const order: string[] = [];
    const before = Date.now();
    const configured = unary(client.sayHello, { name: 'slow' }).then((r) => {
      order.push('timeoutMs 300');
      return r;
    });
    // Sent after it, a call with the caller's own, shorter deadline: that one wins, and ends first.
    const shorter = unary(client.sayHello, { name: 'x' }, { deadline: Date.now() + 50 }).then((r) => {
      order.push('deadline 50 ms');
      return r;
    });
    const [r, r2] = await Promise.all([configured, shorter]);
    expect(r.error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(r2.error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(order).toEqual(['deadline 50 ms', 'timeoutMs 300']);
    // One attempt each: neither is retried past its deadline.
    await until(() => servers[0]!.seen.length + servers[1]!.seen.length >= 2);
    expect(servers[0]!.calls('SayHello') + servers[1]!.calls('SayHello')).toBe(2);
    const [short, full] = [...servers[0]!.seen, ...servers[1]!.seen]
      .map((s) => (s.deadline instanceof Date ? s.deadline.getTime() : s.deadline))
      .sort((a, b) => a - b) as [number, number];
    // grpc-js rebuilt the deadlines from grpc-timeout: the whole 300 ms (not less), and at most 50 ms.
    expect(full - before).toBeGreaterThanOrEqual(300);
    expect(full - Date.now()).toBeLessThanOrEqual(300);
    expect(short - Date.now()).toBeLessThanOrEqual(50);
  });

  it('retries an idempotent call whose attempt exceeded perTryTimeoutMs', async () => {
    servers = await startGrpcServers(2);
    servers[0]!.fault = { kind: 'hang' };
    const { client } = setup(2, {
      perTryTimeoutMs: 100,
      timeoutMs: 5_000,
      balancer: { policy: 'round-robin' },
    });
    for (let i = 0; i < 4; i++) {
      const r = await unary(client.sayHello, { name: 'x' });
      expect(r.value?.server).toBe('s1');
    }
    expect(servers[0]!.calls('SayHello')).toBeGreaterThan(0);
  });

  it('a cancelled call ends at once with CANCELLED', async () => {
    servers = await startGrpcServers(1);
    servers[0]!.fault = { kind: 'hang' };
    const { client } = setup(1);
    const done = new Promise<grpc.ServiceError | null>((resolve) => {
      const call = client.sayHello({ name: 'x' }, (err: grpc.ServiceError | null) => resolve(err));
      void until(() => servers[0]!.seen.length > 0).then(() => call.cancel());
    });
    expect((await done)?.code).toBe(grpc.status.CANCELLED);
  });

  it('a full bulkhead and an open service breaker fail fast with UNAVAILABLE and the cause', async () => {
    servers = await startGrpcServers(1);
    servers[0]!.fault = { kind: 'hang' };
    const { client } = setup(1, {
      bulkhead: { maxConcurrent: 1 },
      serviceBreaker: { strategy: () => new ConsecutiveFailures({ threshold: 1 }), openDurationMs: 60_000 },
      timeoutMs: 200,
    });
    const first = unary(client.sayHello, { name: 'a' });
    await until(() => servers[0]!.seen.length === 1);
    const full = await unary(client.sayHello, { name: 'b' });
    expect(full.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect((full.error?.cause as { code?: string } | undefined)?.code).toBe('BREAKWATER_BULKHEAD_FULL');
    expect((await first).error?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    // That deadline was a failure of the service: its breaker (threshold 1) is open now.
    const open = await unary(client.sayHello, { name: 'c' });
    expect(open.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect((open.error?.cause as { code?: string } | undefined)?.code).toBe('BREAKWATER_CIRCUIT_OPEN');
    expect(servers[0]!.seen).toHaveLength(1);
  });

  it('fails with UNAVAILABLE (cause NoEndpointsError) when the service has no endpoints', async () => {
    const registry = new StaticRegistry({ greeter: [] });
    const client = createGrpcClient(Greeter, { registry, service: 'greeter' });
    closers.push(() => client.close());
    const r = await unary(client.sayHello, { name: 'x' });
    expect(r.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect((r.error?.cause as { code?: string } | undefined)?.code).toBe('BREAKWATER_NO_ENDPOINTS');
  });
});

describe('streaming calls', () => {
  it('server streaming: retried before the first message', async () => {
    servers = await startGrpcServers(2);
    servers[0]!.fault = { kind: 'status', code: grpc.status.UNAVAILABLE };
    const { client } = setup(2, { balancer: { policy: 'round-robin' }, endpointBreaker: false });
    for (let i = 0; i < 4; i++) {
      const { messages, error } = await readAll(client.count({ n: 5 }));
      expect(error).toBeUndefined();
      expect(messages.map((m) => (m as { i: number }).i)).toEqual([0, 1, 2, 3, 4]);
    }
    expect(servers[0]!.calls('Count')).toBeGreaterThan(0);
  });

  it('server streaming: not retried once a message was delivered', async () => {
    servers = await startGrpcServers(2);
    for (const s of servers) s.fault = { kind: 'stream-fail', after: 2, code: grpc.status.UNAVAILABLE };
    const { client } = setup(2);
    const { messages, error } = await readAll(client.count({ n: 5 }));
    expect(messages).toHaveLength(2);
    expect(error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(servers[0]!.calls('Count') + servers[1]!.calls('Count')).toBe(1);
  });

  it('client streaming and bidi calls are balanced over the endpoints and carry traceparent', async () => {
    servers = await startGrpcServers(2);
    const { client } = setup(2, { balancer: { policy: 'round-robin' } });
    for (let i = 0; i < 4; i++) {
      // Client streaming.
      const sum = await new Promise<number>((resolve, reject) => {
        const call = client.sum((err, v) => (err ? reject(err) : resolve(v?.n ?? -1)));
        for (let j = 1; j <= 3; j++) call.write({ i: j });
        call.end();
      });
      expect(sum).toBe(6);
      // Bidi.
      const chat = client.chat();
      const got = readAll(chat);
      chat.write({ name: 'a' });
      chat.write({ name: 'b' });
      chat.end();
      expect((await got).messages.map((m) => (m as { message: string }).message)).toEqual(['hi a', 'hi b']);
    }
    for (const s of servers) {
      // Round-robin over two endpoints: 8 streams, 4 each.
      expect(s.seen).toHaveLength(4);
      for (const seen of s.seen)
        expect(parseTraceparent(String(seen.metadata.get('traceparent')[0]))).not.toBeNull();
    }
  });
});
