// Client spans for HTTP: one INTERNAL span per logical call, one CLIENT span per attempt (each
// physical request), following the stable OpenTelemetry HTTP client conventions: the first attempt
// has no http.request.resend_count, the n-th resend has resend_count = n.
import { type Attributes, type Context, SpanKind } from '@opentelemetry/api';
import { TracedOperation } from './client-span.js';
import { activeContext } from './context-store.js';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  normalizeMethod,
  redactQuery,
} from './semconv.js';
import { startSpanWithIds } from './start-span.js';
import type { ResolvedTracingOptions } from './tracer-options.js';

export interface HttpCallInfo {
  /** HTTP method of the call, e.g. 'GET'. */
  method: string;
  /** Logical service name (e.g. the host of `http://users/...`), used in the span name. */
  service?: string;
  /** Logical URL of the call, recorded as url.full on the call span (credentials redacted). */
  url?: string | URL;
  /** Span name (default: `"<METHOD> <service>"`, or the method alone). */
  name?: string;
  /** Extra attributes for the call span. */
  attributes?: Attributes;
}

export interface HttpAttemptInfo {
  /** The physical URL of this attempt (the picked endpoint). */
  url: string | URL;
  /** Defaults to the URL's hostname. */
  serverAddress?: string;
  /** Defaults to the URL's port, or 80/443 by scheme. */
  serverPort?: number;
  /** Number of earlier attempts of this call (default: counted by the call). */
  resendCount?: number;
  attributes?: Attributes;
}

export interface HttpOutcome {
  /** Response status code, when a response was received. */
  statusCode?: number;
  /** The error, when the attempt/call failed without (or despite) a response. */
  error?: unknown;
}

/**
 * url.full as semconv wants it: user and password replaced by REDACTED (MUST), and the values of
 * the well-known signature query parameters too (SHOULD).
 */
export function redactUrl(url: string | URL): { full: string; parsed: URL | undefined } {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return { full: String(url), parsed: undefined };
  }
  const query = parsed.search.slice(1);
  const redactedQuery = redactQuery(query);
  if (parsed.username === '' && parsed.password === '' && redactedQuery === query) {
    return { full: parsed.href, parsed };
  }
  const copy = new URL(parsed.href);
  if (copy.username !== '') copy.username = 'REDACTED';
  if (copy.password !== '') copy.password = 'REDACTED';
  if (redactedQuery !== query) copy.search = redactedQuery;
  return { full: copy.href, parsed };
}

function defaultPort(protocol: string): number | undefined {
  return protocol === 'https:' ? 443 : protocol === 'http:' ? 80 : undefined;
}

/** One HTTP client attempt: a CLIENT span; inject its context into the request headers. */
export class HttpAttempt extends TracedOperation {
  /** @internal */
  constructor(call: HttpCall, info: HttpAttemptInfo, resendCount: number, opts: ResolvedTracingOptions) {
    const { full, parsed } = redactUrl(info.url);
    const attributes: Attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: call.method,
      [ATTR_URL_FULL]: full,
    };
    if (call.methodOriginal !== undefined)
      attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = call.methodOriginal;
    const address = info.serverAddress ?? parsed?.hostname;
    if (address !== undefined && address !== '') attributes[ATTR_SERVER_ADDRESS] = address;
    const port =
      info.serverPort ??
      (parsed === undefined
        ? undefined
        : parsed.port !== ''
          ? Number(parsed.port)
          : defaultPort(parsed.protocol));
    if (port !== undefined) attributes[ATTR_SERVER_PORT] = port;
    if (resendCount > 0) attributes[ATTR_HTTP_REQUEST_RESEND_COUNT] = resendCount;
    if (info.attributes !== undefined) Object.assign(attributes, info.attributes);
    const span = startSpanWithIds(
      opts.tracer,
      opts.ids,
      call.method === '_OTHER' ? 'HTTP' : call.method,
      { kind: SpanKind.CLIENT, attributes },
      call.context,
    );
    super(span, call.context, opts);
  }

  /** Ends the attempt span. A status >= 400 or an error marks it failed (error.type set). */
  end(outcome: HttpOutcome = {}): void {
    const attrs: Attributes = {};
    const status = outcome.statusCode;
    if (status !== undefined) attrs[ATTR_HTTP_RESPONSE_STATUS_CODE] = status;
    const failed = status !== undefined && status >= 400;
    this.finish(
      attrs,
      outcome.error,
      failed,
      failed && outcome.error === undefined ? String(status) : undefined,
    );
  }
}

/** One logical HTTP call: an INTERNAL span, parent of one `HttpAttempt` per try. */
export class HttpCall extends TracedOperation {
  readonly method: string;
  readonly methodOriginal: string | undefined;
  #attempts = 0;

  /** @internal */
  constructor(info: HttpCallInfo, parent: Context | undefined, opts: ResolvedTracingOptions) {
    const { method, original } = normalizeMethod(info.method);
    const attributes: Attributes = { [ATTR_HTTP_REQUEST_METHOD]: method };
    if (original !== undefined) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = original;
    if (info.url !== undefined) attributes[ATTR_URL_FULL] = redactUrl(info.url).full;
    if (info.service !== undefined) attributes[ATTR_SERVER_ADDRESS] = info.service;
    if (info.attributes !== undefined) Object.assign(attributes, info.attributes);
    const shown = method === '_OTHER' ? 'HTTP' : method;
    const name = info.name ?? (info.service === undefined ? shown : `${shown} ${info.service}`);
    const parentCtx = parent ?? activeContext();
    super(
      startSpanWithIds(opts.tracer, opts.ids, name, { kind: SpanKind.INTERNAL, attributes }, parentCtx),
      parentCtx,
      opts,
    );
    this.method = method;
    this.methodOriginal = original;
  }

  /** Number of attempts started so far. */
  get attempts(): number {
    return this.#attempts;
  }

  /** Starts the next attempt's CLIENT span, a child of this call's span. */
  startAttempt(info: HttpAttemptInfo): HttpAttempt {
    const resend = info.resendCount ?? this.#attempts;
    this.#attempts++;
    return new HttpAttempt(this, info, resend, this.opts);
  }

  /** Ends the call span with the final outcome. */
  end(outcome: HttpOutcome = {}): void {
    const attrs: Attributes = {};
    const status = outcome.statusCode;
    if (status !== undefined) attrs[ATTR_HTTP_RESPONSE_STATUS_CODE] = status;
    const failed = status !== undefined && status >= 400;
    this.finish(
      attrs,
      outcome.error,
      failed,
      failed && outcome.error === undefined ? String(status) : undefined,
    );
  }
}
