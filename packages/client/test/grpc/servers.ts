// Real grpc-js test servers on 127.0.0.1:0 implementing test.greeter.Greeter plus grpc.health.v1,
// whose behaviour the test switches at will.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { HealthImplementation } from 'grpc-health-check';

const definition = loadSync(fileURLToPath(new URL('./greeter.proto', import.meta.url)), {
  keepCase: false,
  defaults: true,
});
const loaded = grpc.loadPackageDefinition(definition) as unknown as {
  test: { greeter: { Greeter: grpc.ServiceClientConstructor } };
};

export interface HelloRequest {
  name: string;
}
export interface HelloReply {
  message: string;
  server: string;
}
export interface CountRequest {
  n: number;
}
export interface CountReply {
  i: number;
  server?: string;
}
type Callback<T> = (err: grpc.ServiceError | null, value?: T) => void;

/** The typed client proto-loader-gen-types would generate for greeter.proto (the subset tests use). */
export interface GreeterClient extends grpc.Client {
  sayHello(req: HelloRequest, cb: Callback<HelloReply>): grpc.ClientUnaryCall;
  sayHello(
    req: HelloRequest,
    md: grpc.Metadata | undefined,
    opts: grpc.CallOptions,
    cb: Callback<HelloReply>,
  ): grpc.ClientUnaryCall;
  SayHello: GreeterClient['sayHello'];
  count(
    req: CountRequest,
    md?: grpc.Metadata,
    opts?: grpc.CallOptions,
  ): grpc.ClientReadableStream<CountReply>;
  sum(cb: Callback<CountRequest>): grpc.ClientWritableStream<CountReply>;
  chat(md?: grpc.Metadata, opts?: grpc.CallOptions): grpc.ClientDuplexStream<HelloRequest, HelloReply>;
}

export const Greeter = loaded.test.greeter.Greeter as grpc.ServiceClientConstructor &
  (new (
    address: string,
    credentials: grpc.ChannelCredentials,
  ) => GreeterClient);

export type Fault =
  | { kind: 'ok' }
  | { kind: 'status'; code: grpc.status; pushbackMs?: string }
  | { kind: 'hang' }
  /** Server streams: send `after` messages, then fail with `code`. */
  | { kind: 'stream-fail'; after: number; code: grpc.status };

export interface Seen {
  readonly method: string;
  readonly metadata: grpc.Metadata;
  /** The deadline grpc-js rebuilt from the grpc-timeout it received. */
  readonly deadline: grpc.Deadline;
}

export class GrpcTestServer {
  readonly name: string;
  readonly seen: Seen[] = [];
  readonly health = new HealthImplementation({ '': 'SERVING', 'test.greeter.Greeter': 'SERVING' });
  fault: Fault = { kind: 'ok' };
  port = 0;
  #server = new grpc.Server();
  #hung: (() => void)[] = [];

  constructor(name: string) {
    this.name = name;
    this.#server.addService(Greeter.service, {
      sayHello: (call: grpc.ServerUnaryCall<{ name: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        this.seen.push({ method: 'SayHello', metadata: call.metadata, deadline: call.getDeadline() });
        if (this.#fail(call, cb)) return;
        cb(null, { message: `hello ${call.request.name}`, server: this.name });
      },
      count: (call: grpc.ServerWritableStream<{ n: number }, unknown>) => {
        this.seen.push({ method: 'Count', metadata: call.metadata, deadline: call.getDeadline() });
        const f = this.fault;
        if (f.kind === 'status') {
          call.emit('error', { code: f.code, details: `injected by ${this.name}` });
          return;
        }
        if (f.kind === 'hang') {
          this.#hang(call);
          return;
        }
        const n = f.kind === 'stream-fail' ? f.after : call.request.n;
        for (let i = 0; i < n; i++) call.write({ i, server: this.name });
        if (f.kind === 'stream-fail') call.emit('error', { code: f.code, details: `broke in ${this.name}` });
        else call.end();
      },
      sum: (call: grpc.ServerReadableStream<{ i: number }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        this.seen.push({ method: 'Sum', metadata: call.metadata, deadline: call.getDeadline() });
        let total = 0;
        call.on('data', (m: { i: number }) => {
          total += m.i;
        });
        call.on('end', () => cb(null, { n: total }));
      },
      chat: (call: grpc.ServerDuplexStream<{ name: string }, unknown>) => {
        this.seen.push({ method: 'Chat', metadata: call.metadata, deadline: call.getDeadline() });
        call.on('data', (m: { name: string }) => call.write({ message: `hi ${m.name}`, server: this.name }));
        call.on('end', () => call.end());
      },
    });
    this.health.addToServer(this.#server);
  }

  #hang(call: { on(e: 'cancelled', f: () => void): void }): void {
    // Answer nothing until the client gives up (or the server stops).
    let release: () => void = () => undefined;
    const done = new Promise<void>((r) => {
      release = r;
    });
    this.#hung.push(release);
    call.on('cancelled', release);
    void done;
  }

  #fail(call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>): boolean {
    const f = this.fault;
    if (f.kind === 'status') {
      const metadata = new grpc.Metadata();
      if (f.pushbackMs !== undefined) metadata.set('grpc-retry-pushback-ms', f.pushbackMs);
      cb({ code: f.code, details: `injected by ${this.name}`, metadata });
      return true;
    }
    if (f.kind === 'hang') {
      this.#hang(call);
      return true;
    }
    return false;
  }

  calls(method: string): number {
    return this.seen.filter((s) => s.method === method).length;
  }

  async start(port = 0): Promise<this> {
    this.port = await new Promise<number>((resolve, reject) =>
      this.#server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
        err === null ? resolve(p) : reject(err),
      ),
    );
    return this;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Kills the server: open connections are cut. */
  kill(): void {
    this.#server.forceShutdown();
  }

  close(): Promise<void> {
    for (const r of this.#hung) r();
    return new Promise((resolve) => {
      this.#server.tryShutdown(() => resolve());
      // Streams left open by a test must not hold the shutdown.
      setImmediate(() => this.#server.forceShutdown());
    });
  }
}

export async function startGrpcServers(n: number): Promise<GrpcTestServer[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => new GrpcTestServer(`s${i}`).start()));
}

/** Polls `check` until it holds or `timeoutMs` passes (no fixed sleeps). */
export async function until(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
