import {
  AdaptiveLimiter,
  FixedLimit,
  type LimitAlgorithm,
  shedServerStreaming,
  shedUnary,
} from '@breakwater/breaker';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';

class Recorder implements LimitAlgorithm {
  readonly type = 'recorder';
  readonly samples: { rtt: number; didDrop: boolean }[] = [];
  constructor(public limit: number) {}
  onSample(_start: number, rtt: number, _inflight: number, didDrop: boolean): void {
    this.samples.push({ rtt, didDrop });
  }
}

async function until(cond: () => boolean, what: string, deadlineMs = 5000): Promise<void> {
  const end = performance.now() + deadlineMs;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const str = {
  serialize: (v: string): Buffer => Buffer.from(v),
  deserialize: (b: Buffer): string => b.toString(),
};
const service = {
  echo: {
    path: '/test.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: str.serialize,
    requestDeserialize: str.deserialize,
    responseSerialize: str.serialize,
    responseDeserialize: str.deserialize,
  },
  watch: {
    path: '/test.Echo/Watch',
    requestStream: false,
    responseStream: true,
    requestSerialize: str.serialize,
    requestDeserialize: str.deserialize,
    responseSerialize: str.serialize,
    responseDeserialize: str.deserialize,
  },
} satisfies grpc.ServiceDefinition;

const EchoClient = grpc.makeGenericClientConstructor(service, 'Echo');
type Client = grpc.Client & {
  echo(req: string, cb: (err: grpc.ServiceError | null, res?: string) => void): grpc.ClientUnaryCall;
  watch(req: string): grpc.ClientReadableStream<string>;
};

let server: grpc.Server | undefined;
let client: Client | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  if (server) server.forceShutdown();
  server = undefined;
});

interface Held {
  unary: { call: grpc.ServerUnaryCall<string, string>; callback: grpc.sendUnaryData<string> }[];
  streams: grpc.ServerWritableStream<string, string>[];
}

async function start(limiter: AdaptiveLimiter, retryAfterMs?: number): Promise<Held> {
  const held: Held = { unary: [], streams: [] };
  const echo: grpc.handleUnaryCall<string, string> = (call, callback) => {
    const req = call.request;
    if (req === 'hold') held.unary.push({ call, callback });
    else if (req.startsWith('code:')) callback({ code: Number(req.slice(5)), details: 'failed' });
    else callback(null, `echo ${req}`);
  };
  const watch: grpc.handleServerStreamingCall<string, string> = (call) => {
    held.streams.push(call);
  };
  const opts = retryAfterMs === undefined ? {} : { retryAfterMs };
  server = new grpc.Server();
  server.addService(service, {
    echo: shedUnary(limiter, echo, opts),
    watch: shedServerStreaming(limiter, watch, opts),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server!.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  client = new EchoClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as Client;
  return held;
}

function echo(req: string): Promise<{ err: grpc.ServiceError | null; res?: string | undefined }> {
  return new Promise((resolve) => client!.echo(req, (err, res) => resolve({ err, res })));
}

describe('shedUnary / shedServerStreaming (grpc-js)', () => {
  it('unary: over the limit answers RESOURCE_EXHAUSTED with grpc-retry-pushback-ms, without calling the handler', async () => {
    const limiter = new AdaptiveLimiter({ limit: new FixedLimit(1) });
    const held = await start(limiter, 250);
    const first = echo('hold');
    await until(() => held.unary.length === 1, 'the held call');
    const shed = await echo('hello');
    expect(shed.err?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(shed.err?.details).toBe('concurrency limit reached');
    expect(shed.err?.metadata.get('grpc-retry-pushback-ms')).toEqual(['250']);
    held.unary[0]!.callback(null, 'released');
    expect(await first).toEqual({ err: null, res: 'released' });
    expect(await echo('again')).toEqual({ err: null, res: 'echo again' });
    expect(limiter.stats).toMatchObject({ inFlight: 0, admitted: 2, rejected: 1, successes: 2 });
  });

  it('unary: UNAVAILABLE and DEADLINE_EXCEEDED from the handler are drops, application errors are RTT samples', async () => {
    const algorithm = new Recorder(10);
    const limiter = new AdaptiveLimiter({ limit: algorithm });
    await start(limiter);
    for (const code of [grpc.status.UNAVAILABLE, grpc.status.NOT_FOUND, grpc.status.DEADLINE_EXCEEDED]) {
      expect((await echo(`code:${code}`)).err?.code).toBe(code);
    }
    expect(algorithm.samples.map((s) => s.didDrop)).toEqual([true, false, true]);
  });

  it('unary: a call the client cancels releases its permit without a sample', async () => {
    const algorithm = new Recorder(10);
    const limiter = new AdaptiveLimiter({ limit: algorithm });
    const held = await start(limiter);
    const call = client!.echo('hold', () => {});
    await until(() => held.unary.length === 1, 'the held call');
    call.cancel();
    await until(() => limiter.inFlight === 0, 'the permit to be released');
    held.unary[0]!.callback(null, 'late'); // no second settle
    expect([algorithm.samples.length, limiter.stats.ignored]).toEqual([0, 1]);
  });

  it('server streaming: over the limit the stream ends with RESOURCE_EXHAUSTED and pushback; admitted streams settle on finish', async () => {
    const algorithm = new Recorder(1);
    const limiter = new AdaptiveLimiter({ limit: algorithm });
    const held = await start(limiter);
    const first = client!.watch('a');
    const got: string[] = [];
    first.on('data', (d: string) => got.push(d));
    const firstEnd = new Promise<void>((resolve) => first.on('status', () => resolve()));
    await until(() => held.streams.length === 1, 'the first stream');
    const second = client!.watch('b');
    second.on('data', () => {});
    const err = await new Promise<grpc.ServiceError>((resolve) => second.on('error', resolve));
    expect(err.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(err.metadata.get('grpc-retry-pushback-ms')).toEqual(['1000']);
    expect(held.streams.length).toBe(1);
    held.streams[0]!.write('x');
    held.streams[0]!.write('y');
    held.streams[0]!.end();
    await firstEnd;
    expect(got).toEqual(['x', 'y']);
    await until(() => limiter.inFlight === 0, 'the stream permit');
    expect(algorithm.samples.map((s) => s.didDrop)).toEqual([false]);
  });
});
