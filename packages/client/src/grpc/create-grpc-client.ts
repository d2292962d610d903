// createGrpcClient: a client with the methods of a grpc-js service client, each call going through
// the Breakwater pipeline over one grpc-js channel per discovered endpoint.
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { type ChannelOptions, type Client, credentials as grpcCredentials } from '@grpc/grpc-js';
import { defaultClock } from '../clock.js';
import { inspectService } from '../dashboard/inspect-service.js';
import type { ServiceInspection } from '../dashboard/types.js';
import { callArguments } from './call-arguments.js';
import { GrpcContext } from './grpc-context.js';
import { grpcTransport } from './grpc-transport.js';
import { type MethodInfo, methodInfo } from './method-info.js';
import { type GrpcClientOptions, type GrpcMethodPolicy, resolveGrpcOptions, resolvePlan } from './options.js';
import { ServerStreamCall } from './server-stream-call.js';
import { streamingCall } from './streaming-call.js';
import { UnaryCall } from './unary-call.js';

/** Per-endpoint view for dashboards and tests. */
export interface GrpcEndpointView {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  /** Endpoint breaker state ('closed' when there is no breaker). */
  readonly breaker: string;
  /** The last health-check verdict (true without health checking). */
  readonly serving: boolean;
  /** Calls in flight on the endpoint's channel. */
  readonly inFlight: number;
  /** In the picker: not ejected, breaker not open, serving. */
  readonly healthy: boolean;
  /** Ejected by outlier detection. */
  readonly ejected: boolean;
  /** The balancer's latency estimate, ms. */
  readonly latencyMs: number;
}

export interface GrpcClientExtras extends AsyncDisposable {
  /** Resolves once the registry has answered (needed before client/bidi streams with an asynchronous registry). */
  ready(): Promise<void>;
  /** The endpoints as the client sees them. */
  endpoints(): GrpcEndpointView[];
  /** The service as the client sees it now (for dashboards): one entry, none once closed. */
  inspect(): readonly ServiceInspection[];
  /** Stops the watch and the health checks, closes every channel once its calls end; calls waiting to retry fail (UNAVAILABLE, cause ClientClosedError). */
  close(): Promise<void>;
}

/** The grpc-js client's methods (without the Client base class's own) plus Breakwater's. */
export type GrpcClient<C> = Omit<C, keyof Client> & GrpcClientExtras;

/** A grpc-js service client constructor: generated code, `makeClientConstructor`, or proto-loader's. */
export interface ServiceClientConstructorLike<C> {
  new (...args: never[]): C;
  readonly service: ServiceDefinition;
}

function isConstructor(v: unknown): v is ServiceClientConstructorLike<unknown> {
  return typeof v === 'function' && typeof (v as { service?: unknown }).service === 'object';
}

type Definition = Record<string, MethodDefinition<unknown, unknown> & { originalName?: string }>;

export function createGrpcClient<C extends Client>(
  service: ServiceClientConstructorLike<C>,
  options: GrpcClientOptions,
): GrpcClient<C>;
export function createGrpcClient(
  service: ServiceDefinition,
  options: GrpcClientOptions,
): GrpcClient<Record<string, (...args: never[]) => unknown>>;
export function createGrpcClient(
  service: ServiceClientConstructorLike<unknown> | ServiceDefinition,
  options: GrpcClientOptions,
): unknown {
  const def = (isConstructor(service) ? service.service : service) as Definition;
  if (typeof def !== 'object' || def === null) {
    throw new TypeError('service must be a grpc-js service client constructor or a service definition');
  }
  const resolved = resolveGrpcOptions(options, defaultClock);
  const credentials = options.credentials ?? grpcCredentials.createInsecure();
  // A local subchannel pool: closing this client's channels closes their connections.
  const channelOptions: ChannelOptions = { 'grpc.use_local_subchannel_pool': 1, ...options.channelOptions };
  let ctx: GrpcContext | undefined;
  const transport = grpcTransport(credentials, channelOptions, resolved.healthCheck, (id, serving) =>
    ctx?.svc.setServing(id, serving),
  );
  ctx = new GrpcContext(resolved, options.metrics, transport);
  const c = ctx;
  const o = options.channelOptions as
    | { interceptors?: unknown[]; interceptor_providers?: unknown[] }
    | undefined;
  const clientIntercepted = (o?.interceptors?.length ?? 0) > 0 || (o?.interceptor_providers?.length ?? 0) > 0;

  const idempotent = new Set(options.idempotentMethods ?? []);
  const base: GrpcMethodPolicy = {
    retry: options.retry,
    timeoutMs: options.timeoutMs,
    perTryTimeoutMs: options.perTryTimeoutMs,
    idempotent: options.idempotent,
  };
  resolvePlan('', {}, base, false, false); // the client-wide fields, named as given
  const client: Record<string | symbol, unknown> = {};
  for (const name of Object.keys(def)) {
    const m = def[name]!;
    if (typeof m?.path !== 'string') throw new TypeError(`service method ${name} has no path`);
    const names = m.originalName !== undefined && m.originalName !== name ? [name, m.originalName] : [name];
    const own =
      options.methods?.[name] ??
      (m.originalName === undefined ? undefined : options.methods?.[m.originalName]);
    const isIdem = names.some((n) => idempotent.has(n));
    const streaming = m.requestStream || m.responseStream;
    const info = methodInfo(name, m, resolvePlan(`methods.${name}`, own ?? {}, base, isIdem, streaming));
    const fn = makeMethod(c, info, m.requestStream, m.responseStream, clientIntercepted);
    for (const n of names) client[n] = fn;
  }
  for (const name of Object.keys(options.methods ?? {})) {
    if (!(name in client)) throw new RangeError(`methods.${name}: the service has no method ${name}`);
  }
  const close = (): Promise<void> => c.close();
  Object.assign(client, {
    ready: () =>
      new Promise<void>((resolve) => {
        c.svc.start();
        c.svc.whenReady(resolve);
      }),
    endpoints: (): GrpcEndpointView[] => {
      const stats = new Map(c.svc.balancer.stats().map((s) => [s.endpoint.id, s]));
      return c.svc.slots().map((s) => {
        const st = stats.get(s.id);
        return Object.freeze({
          id: s.id,
          host: s.endpoint.host,
          port: s.endpoint.port,
          breaker: s.breaker?.state.type ?? 'closed',
          serving: !s.healthDown,
          inFlight: s.transport.inFlight,
          healthy: st?.healthy ?? true,
          ejected: st?.ejected ?? false,
          latencyMs: st?.latencyMs ?? 0,
        });
      });
    },
    inspect: (): readonly ServiceInspection[] =>
      c.closed ? [] : [inspectService(c.svc, (slot) => slot.transport.inFlight)],
    close,
    [Symbol.asyncDispose]: close,
  });
  return Object.freeze(client);
}

function makeMethod(
  ctx: GrpcContext,
  info: MethodInfo,
  requestStream: boolean,
  responseStream: boolean,
  clientIntercepted: boolean,
) {
  if (!requestStream && !responseStream) {
    return (request: unknown, a?: unknown, b?: unknown, cb?: unknown) => {
      const args = callArguments(a, b, cb, true);
      const call = new UnaryCall(
        ctx,
        info,
        request,
        args.metadata,
        args.options,
        args.callback!,
        clientIntercepted,
      );
      call.begin();
      return call.surface;
    };
  }
  if (!requestStream) {
    return (request: unknown, a?: unknown, b?: unknown) => {
      const args = callArguments(a, b, undefined, false);
      const call = new ServerStreamCall(ctx, info, request, args.metadata, args.options);
      call.begin();
      return call.surface;
    };
  }
  if (!responseStream) {
    return (a?: unknown, b?: unknown, cb?: unknown) => {
      const args = callArguments(a, b, cb, true);
      return streamingCall(ctx, info, args.metadata, args.options, args.callback);
    };
  }
  return (a?: unknown, b?: unknown) => {
    const args = callArguments(a, b, undefined, false);
    return streamingCall(ctx, info, args.metadata, args.options, undefined);
  };
}
