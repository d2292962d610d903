// createHttpClient: the public entry point of the HTTP client.
import { type Dispatcher, type Pool, fetch as undiciFetch } from 'undici';
import { ClientCore } from './client-core.js';
import { defaultClock } from './clock.js';
import { inspectService } from './dashboard/inspect-service.js';
import type { InspectedEndpoint, ServiceInspection } from './dashboard/types.js';
import { BreakwaterDispatcher } from './http/breakwater-dispatcher.js';
import { BODY_FACTORY } from './http/request-body.js';
import { type HttpClientOptions, resolveClientOptions } from './options.js';

export type RequestBody =
  | string
  | Buffer
  | Uint8Array
  | NodeJS.ReadableStream
  | AsyncIterable<Uint8Array>
  | null;

/** `client.request(service, options)`: undici's request options without origin. */
export interface ClientRequestOptions
  extends Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'method' | 'body'> {
  /** Path and query (default '/'). */
  path?: string;
  /** Default 'GET'. */
  method?: Dispatcher.HttpMethod;
  /** A body, or a factory giving a fresh body for each attempt (makes stream bodies retryable). */
  body?: RequestBody | (() => RequestBody);
}

/** Per-endpoint view for dashboards and tests (the dashboard's InspectedEndpoint). */
export type EndpointView = InspectedEndpoint;

export interface HttpClient extends AsyncDisposable {
  /** An undici Dispatcher: pass it to undici.request/fetch/stream/pipeline with `http://<service>/…` URLs. */
  readonly dispatcher: Dispatcher;
  /** `undici.request` against `http://<service><path>` through the client. */
  request(service: string, options?: ClientRequestOptions): Promise<Dispatcher.ResponseData>;
  /** `undici.fetch` through the client. */
  fetch(
    input: Parameters<typeof undiciFetch>[0],
    init?: Parameters<typeof undiciFetch>[1],
  ): ReturnType<typeof undiciFetch>;
  /** The endpoints of a service as the client sees them (empty before its first call). */
  endpoints(service: string): EndpointView[];
  /** Every service used so far as the client sees it now (for dashboards); empty once closed. */
  inspect(): readonly ServiceInspection[];
  /** Stops watches, drains and closes every pool; calls waiting to retry fail with ClientClosedError. */
  close(): Promise<void>;
}

export interface CreateHttpClientOptions extends HttpClientOptions {
  /** Extra undici Pool options for every endpoint pool and the passthrough agent (connect timeouts, TLS…). */
  undici?: Pool.Options;
}

export function createHttpClient(options: CreateHttpClientOptions): HttpClient {
  const resolved = resolveClientOptions(options, defaultClock);
  if (options.undici !== undefined && (typeof options.undici !== 'object' || options.undici === null)) {
    throw new TypeError('undici must be an object of undici Pool options');
  }
  const core = new ClientCore(resolved, options.undici);
  const dispatcher = new BreakwaterDispatcher(core);
  const close = (): Promise<void> => core.close();
  return Object.freeze({
    dispatcher,
    request(service: string, opts: ClientRequestOptions = {}): Promise<Dispatcher.ResponseData> {
      const { path = '/', method = 'GET', body, ...rest } = opts;
      const o: Record<string | symbol, unknown> = { ...rest, origin: `http://${service}`, path, method };
      if (typeof body === 'function') {
        o[BODY_FACTORY] = body;
        o.body = body();
      } else if (body !== undefined) o.body = body;
      return dispatcher.request(o as unknown as Dispatcher.RequestOptions);
    },
    fetch(input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) {
      return undiciFetch(input, { ...init, dispatcher });
    },
    endpoints(service: string): EndpointView[] {
      return [...inspectService(core.service(service.toLowerCase())).endpoints];
    },
    inspect(): readonly ServiceInspection[] {
      if (core.closed) return [];
      const out: ServiceInspection[] = [];
      for (const svc of core.serviceStates()) out.push(inspectService(svc));
      return out;
    },
    close,
    [Symbol.asyncDispose]: close,
  });
}
