import { type GrpcFaults, grpcFaults, seededRandom } from '@breakwater/chaos';
import {
  type Client,
  credentials,
  type handleUnaryCall,
  Metadata,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { until } from './helpers/servers.js';

const json = {
  serialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
  deserialize: (b: Buffer) => JSON.parse(b.toString()) as unknown,
};

const service = {
  echo: {
    path: '/test.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
};

const EchoClient = makeGenericClientConstructor(service, 'Echo');
const open: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c();
});

async function start(faults: GrpcFaults): Promise<Client> {
  const echo: handleUnaryCall<unknown, unknown> = (call, callback) => callback(null, call.request);
  const server = new Server();
  server.addService(service, faults.wrapService({ echo }));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  const client = new EchoClient(`127.0.0.1:${port}`, credentials.createInsecure());
  open.push(async () => {
    client.close();
    await faults.close();
    server.forceShutdown();
  });
  return client;
}

function echo(client: Client, value: unknown, deadlineMs = 5_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    (
      client as unknown as {
        echo(
          v: unknown,
          m: Metadata,
          o: { deadline: number },
          cb: (e: ServiceError | null, r?: unknown) => void,
        ): void;
      }
    ).echo(value, new Metadata(), { deadline: Date.now() + deadlineMs }, (e, r) =>
      e ? reject(e) : resolve(r),
    );
  });
}

describe('grpcFaults', () => {
  it('passes calls through by default', async () => {
    const faults = grpcFaults();
    const client = await start(faults);
    await expect(echo(client, { a: 1 })).resolves.toEqual({ a: 1 });
    expect(faults.stats.calls).toBe(1);
  });

  it('fails calls with UNAVAILABLE (or a chosen code)', async () => {
    const faults = grpcFaults({ faults: { error: { rate: 1 } } });
    const client = await start(faults);
    await expect(echo(client, 1)).rejects.toMatchObject({
      code: status.UNAVAILABLE,
      details: 'injected fault',
    });
    faults.set({ error: { rate: 1, code: status.RESOURCE_EXHAUSTED, details: 'busy' } });
    await expect(echo(client, 1)).rejects.toMatchObject({ code: status.RESOURCE_EXHAUSTED, details: 'busy' });
    faults.set({});
    await expect(echo(client, 2)).resolves.toBe(2);
  });

  it('injects exactly the seeded share of errors', async () => {
    const faults = grpcFaults({ seed: 5, faults: { error: { rate: 0.5 } } });
    const client = await start(faults);
    const replay = seededRandom(5);
    const expected: boolean[] = [];
    const got: boolean[] = [];
    for (let i = 0; i < 40; i++) {
      expected.push(replay() < 0.5);
      got.push(
        await echo(client, { i }).then(
          () => false,
          () => true,
        ),
      );
    }
    expect(got).toEqual(expected);
    const failed = got.filter(Boolean).length;
    expect(failed).toBe(faults.stats.errors);
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(40);
  });

  it('delays calls: the handler runs once the latency has passed (fake timers)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const faults = grpcFaults({ faults: { latency: { distribution: { kind: 'fixed', ms: 60 } } } });
      const events: string[] = [];
      const handler = faults.wrap((call: { request: string }, callback: (e: null, r: string) => void) => {
        events.push(`handler ${call.request}`);
        callback(null, call.request);
      });
      handler({ request: 'x' } as never, ((_e: unknown, r: string) => events.push(`answered ${r}`)) as never);
      expect(faults.stats.delayed).toBe(1);
      vi.advanceTimersByTime(59);
      expect(events).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(events).toEqual(['handler x', 'answered x']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('delays calls end to end: a delayed call is still answered', async () => {
    const faults = grpcFaults({ faults: { latency: { distribution: { kind: 'fixed', ms: 60 } } } });
    const client = await start(faults);
    await expect(echo(client, 'x')).resolves.toBe('x');
    expect(faults.stats).toMatchObject({ calls: 1, delayed: 1 });
  });

  it('hangs until the deadline; close() answers held calls CANCELLED', async () => {
    const faults = grpcFaults({ faults: { hang: { rate: 1 } } });
    const client = await start(faults);
    await expect(echo(client, 1, 200)).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED });
    const pending = echo(client, 2, 10_000);
    await until(() => faults.stats.hangs === 2, 5_000, 'second hang');
    await faults.close();
    await expect(pending).rejects.toMatchObject({ code: status.CANCELLED });
  });

  it('validates faults and options, naming the field', () => {
    expect(() => grpcFaults({ faults: { error: { rate: 1, code: 0 } } })).toThrow(/faults\.error\.code/);
    expect(() => grpcFaults({ faults: { hang: { rate: -1 } } })).toThrow(RangeError);
    expect(() => grpcFaults({ faults: { stall: {} } as never })).toThrow(
      /faults\.stall is not a known field/,
    );
    expect(() => grpcFaults().wrap(5 as never)).toThrow(/handler must be a function/);
  });
});
