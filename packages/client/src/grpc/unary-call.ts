// A unary call: what the caller holds is a grpc-js ClientUnaryCall look-alike (events 'metadata'
// and 'status', cancel(), getPeer()); the callback gets the answer of the last attempt.
//
// Attempts without interceptors take grpc-js's own bottom layer directly (channel.createCall, as
// its Client does under the interceptor stack): the call object is the listener, the request is
// serialized once for every attempt, and no per-attempt emitter, closures or caller stack are made.
// With interceptors (call options, or client options in `channelOptions`) attempts go through
// `Client.makeUnaryRequest`, so they run.
import { EventEmitter } from 'node:events';
import {
  type CallOptions,
  type Client,
  type ClientUnaryCall,
  type Metadata,
  type ServiceError,
  type StatusObject,
  status,
} from '@grpc/grpc-js';
import type { GrpcContext } from './grpc-context.js';
import { errorFromStatus } from './grpc-error.js';
import type { MethodInfo } from './method-info.js';
import { ResilientCall } from './resilient-call.js';

export type UnaryCallback = (err: ServiceError | null, value?: unknown) => void;

/** grpc-js's channel-level call (`Channel.createCall`). */
type ChannelCall = ReturnType<ReturnType<Client['getChannel']>['createCall']>;

const NO_CONTEXT = Object.freeze({});

export class UnaryCallSurface extends EventEmitter implements ClientUnaryCall {
  readonly #call: UnaryCall;

  constructor(call: UnaryCall) {
    super();
    this.#call = call;
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

export class UnaryCall extends ResilientCall {
  readonly surface: UnaryCallSurface;
  readonly #request: unknown;
  readonly #callback: UnaryCallback;
  /** Take the interceptor path (makeUnaryRequest). */
  readonly #intercepted: boolean;
  #serialized: Buffer | undefined;
  #current: ClientUnaryCall | undefined;
  #raw: ChannelCall | undefined;
  #headers: Metadata | undefined;
  #err: ServiceError | null = null;
  #value: unknown;
  #received = false;
  /** Details of a response that could not be deserialized. */
  #readError: string | undefined;

  constructor(
    ctx: GrpcContext,
    method: MethodInfo,
    request: unknown,
    metadata: Metadata | undefined,
    options: CallOptions | undefined,
    callback: UnaryCallback,
    clientIntercepted: boolean,
  ) {
    super(ctx, method, metadata, options);
    this.#request = request;
    this.#callback = callback;
    this.#intercepted =
      clientIntercepted ||
      (options !== undefined &&
        ((options.interceptors?.length ?? 0) > 0 || (options.interceptor_providers?.length ?? 0) > 0));
    this.surface = new UnaryCallSurface(this);
  }

  protected send(client: Client, metadata: Metadata, deadline: number): void {
    this.#headers = undefined;
    if (this.#intercepted) {
      this.#sendIntercepted(client, metadata, deadline);
      return;
    }
    const o = this.options;
    const call = client
      .getChannel()
      .createCall(this.method.path, deadline, o?.host, o?.parent ?? null, o?.propagate_flags);
    if (o?.credentials !== undefined) call.setCredentials(o.credentials);
    this.#raw = call;
    this.#received = false;
    this.#readError = undefined;
    this.#value = undefined;
    call.start(metadata, this);
    call.startRead();
    let message = this.#serialized;
    if (message === undefined) {
      try {
        message = this.method.serialize(this.#request);
        this.#serialized = message;
      } catch (e) {
        call.cancelWithStatus(
          status.INTERNAL,
          `Request message serialization failure: ${(e as Error).message}`,
        );
        return;
      }
    }
    call.sendMessageWithContext(NO_CONTEXT, message);
    call.halfClose();
  }

  // ---- grpc-js InterceptingListener of the channel call ---------------------------------------

  onReceiveMetadata(md: Metadata): void {
    this.#headers = md;
  }

  onReceiveMessage(message: Buffer): void {
    const call = this.#raw;
    if (this.#received) {
      call?.cancelWithStatus(status.UNIMPLEMENTED, 'Too many responses received');
      return;
    }
    this.#received = true;
    try {
      this.#value = this.method.deserialize(message);
    } catch (e) {
      this.#readError = `Response message parsing error: ${(e as Error).message}`;
      call?.cancelWithStatus(status.INTERNAL, this.#readError);
    }
  }

  onReceiveStatus(s: StatusObject): void {
    if (this.#raw === undefined) return;
    this.#raw = undefined;
    let st = s;
    if (this.#readError !== undefined)
      st = { code: status.INTERNAL, details: this.#readError, metadata: s.metadata };
    else if (s.code === status.OK && !this.#received) {
      st = { code: status.UNIMPLEMENTED, details: 'No message received', metadata: s.metadata };
    }
    if (st.code === status.OK) {
      this.attemptEnded(0, undefined);
      this.#deliver(s);
      return;
    }
    this.attemptEnded(st.code, errorFromStatus(st));
  }

  // ---- the interceptor path -------------------------------------------------------------------

  #sendIntercepted(client: Client, metadata: Metadata, deadline: number): void {
    const m = this.method;
    const o = this.options;
    const options: CallOptions = o === undefined ? { deadline } : { ...o, deadline };
    const call = client.makeUnaryRequest(
      m.path,
      m.serialize,
      m.deserialize,
      this.#request,
      metadata,
      options,
      (err: ServiceError | null, value?: unknown) => {
        this.#err = err;
        this.#value = value;
      },
    );
    this.#current = call;
    call.on('metadata', (md: Metadata) => {
      this.#headers = md;
    });
    // grpc-js calls the callback, then emits 'status', synchronously: act on the status.
    call.on('status', (s: StatusObject) => {
      this.#current = undefined;
      const err = this.#err;
      if (err === null) {
        this.attemptEnded(0, undefined);
        this.#deliver(s);
      } else this.attemptEnded(err.code, err);
    });
  }

  // ---- delivery ------------------------------------------------------------------------------

  #deliver(s: StatusObject): void {
    const surface = this.surface;
    if (this.#headers !== undefined) surface.emit('metadata', this.#headers);
    this.#callback(null, this.#value);
    surface.emit('status', s);
  }

  protected cancelAttempt(): void {
    this.#current?.cancel();
    this.#raw?.cancelWithStatus(status.CANCELLED, 'Cancelled on client');
  }

  protected deliverError(err: ServiceError): void {
    const headers = this.#headers;
    // Never call back synchronously from the method call itself (grpc-js does not either).
    process.nextTick(() => {
      const surface = this.surface;
      if (headers !== undefined) surface.emit('metadata', headers);
      this.#callback(err, undefined);
      surface.emit('status', { code: err.code, details: err.details, metadata: err.metadata });
    });
  }
}
