// A server-streaming call: the caller holds a Readable (a grpc-js ClientReadableStream look-alike).
// Attempts are retried only until the first message reaches the caller; after that the stream is
// committed to its endpoint and a failure ends it with that attempt's error.
import { Readable } from 'node:stream';
import type {
  CallOptions,
  Client,
  ClientReadableStream,
  ClientUnaryCall,
  Metadata,
  ServiceError,
  StatusObject,
} from '@grpc/grpc-js';
import type { GrpcContext } from './grpc-context.js';
import { errorFromStatus } from './grpc-error.js';
import type { MethodInfo } from './method-info.js';
import { ResilientCall } from './resilient-call.js';

export class ServerStreamSurface extends Readable {
  readonly #call: ServerStreamCall;
  readonly deserialize: (chunk: Buffer) => unknown;

  constructor(call: ServerStreamCall, deserialize: (chunk: Buffer) => unknown) {
    super({ objectMode: true });
    this.#call = call;
    this.deserialize = deserialize;
  }

  override _read(): void {
    this.#call.resume();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.#call.cancel(); // the caller stopped reading: end the attempt (no-op once the call is over)
    cb(err);
  }

  cancel(): void {
    this.#call.cancel();
  }

  getPeer(): string {
    return this.#call.peer;
  }

  getAuthContext(): ReturnType<ClientUnaryCall['getAuthContext']> {
    return null;
  }
}

export class ServerStreamCall extends ResilientCall {
  readonly surface: ServerStreamSurface;
  readonly #request: unknown;
  #current: ClientReadableStream<unknown> | undefined;
  #headers: Metadata | undefined;
  #headersSent = false;

  constructor(
    ctx: GrpcContext,
    method: MethodInfo,
    request: unknown,
    metadata: Metadata | undefined,
    options: CallOptions | undefined,
  ) {
    super(ctx, method, metadata, options);
    this.#request = request;
    this.surface = new ServerStreamSurface(this, method.deserialize);
  }

  resume(): void {
    this.#current?.resume();
  }

  #sendHeaders(): void {
    if (this.#headersSent || this.#headers === undefined) return;
    this.#headersSent = true;
    this.surface.emit('metadata', this.#headers);
  }

  protected send(client: Client, metadata: Metadata, deadline: number): void {
    const m = this.method;
    const o = this.options;
    const options: CallOptions = o === undefined ? { deadline } : { ...o, deadline };
    this.#headers = undefined;
    const stream = client.makeServerStreamRequest(
      m.path,
      m.serialize,
      m.deserialize,
      this.#request,
      metadata,
      options,
    );
    this.#current = stream;
    let st: StatusObject | undefined;
    let ended = false;
    stream.on('metadata', (md: Metadata) => {
      this.#headers = md;
    });
    stream.on('data', (msg: unknown) => {
      this.commit();
      this.#sendHeaders();
      if (!this.surface.push(msg)) stream.pause();
    });
    stream.on('error', () => undefined); // the status carries it
    stream.on('status', (s: StatusObject) => {
      st = s;
      if (ended) this.#onEnd(stream, s);
    });
    // grpc-js pushes end-of-stream before it emits the status; messages still buffered are
    // delivered first, so the outcome is acted on once both have happened.
    const onEnd = (): void => {
      if (ended) return;
      ended = true;
      if (st !== undefined) this.#onEnd(stream, st);
    };
    stream.on('end', onEnd);
    stream.on('close', onEnd);
  }

  #onEnd(stream: ClientReadableStream<unknown>, s: StatusObject): void {
    if (this.#current !== stream) return;
    this.#current = undefined;
    if (s.code === 0) {
      this.attemptEnded(0, undefined);
      this.#sendHeaders();
      this.surface.push(null);
      this.surface.emit('status', s);
      return;
    }
    this.attemptEnded(s.code, errorFromStatus(s));
  }

  protected cancelAttempt(): void {
    this.#current?.cancel();
  }

  protected deliverError(err: ServiceError): void {
    process.nextTick(() => {
      this.#sendHeaders();
      const surface = this.surface;
      surface.destroy(err);
      process.nextTick(() =>
        surface.emit('status', { code: err.code, details: err.details, metadata: err.metadata }),
      );
    });
  }
}
