// A TextMapPropagator for @opentelemetry/api that speaks W3C Trace Context Level 2 with this
// package's codec. Like OpenTelemetry's W3CTraceContextPropagator it reads and writes only
// through the given getter/setter, never throws on bad input and returns new contexts; unlike it,
// duplicate traceparent headers restart the trace, the random flag is kept, and tracestate is
// validated (an invalid list is dropped whole) and truncated by the spec's rules when sent.
import {
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';
import {
  formatTraceparent,
  isValidSpanId,
  isValidTraceId,
  KNOWN_FLAGS,
  parseTraceparent,
} from './traceparent.js';
import { DEFAULT_TRACESTATE_MAX_LENGTH, formatTracestate, parseTracestate } from './tracestate.js';

export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

export interface TraceContextPropagatorOptions {
  /** Longest tracestate sent, in characters; longer ones are truncated by whole entries (default 512). */
  tracestateMaxLength?: number;
}

const defaults = { tracestateMaxLength: DEFAULT_TRACESTATE_MAX_LENGTH };

/** The remote span context carried by a carrier, or undefined when traceparent is absent or invalid. */
export function extractSpanContext<Carrier>(
  carrier: Carrier,
  getter: TextMapGetter<Carrier>,
): SpanContext | undefined {
  let raw: string | string[] | undefined;
  try {
    raw = getter.get(carrier, TRACEPARENT_HEADER);
  } catch {
    return undefined;
  }
  let header: unknown = raw;
  if (Array.isArray(raw)) {
    // Several traceparent header lines: the value is ambiguous, so the trace restarts.
    if (raw.length !== 1) return undefined;
    header = raw[0];
  }
  if (typeof header !== 'string') return undefined;
  const tp = parseTraceparent(header);
  if (tp === null) return undefined; // invalid traceparent: restart, and do not even read tracestate
  let stateHeader: unknown;
  try {
    stateHeader = getter.get(carrier, TRACESTATE_HEADER);
  } catch {
    stateHeader = undefined;
  }
  const state =
    typeof stateHeader === 'string' || Array.isArray(stateHeader)
      ? parseTracestate(stateHeader as string | string[])
      : null;
  const sc: SpanContext = {
    traceId: tp.traceId,
    spanId: tp.parentId,
    traceFlags: tp.traceFlags,
    isRemote: true,
  };
  if (state !== null && state.size > 0) sc.traceState = state;
  return sc;
}

/** W3C Trace Context (Level 2) propagator for @opentelemetry/api. */
export class TraceContextPropagator implements TextMapPropagator {
  readonly #tracestateMaxLength: number;

  constructor(options: TraceContextPropagatorOptions = {}) {
    const o = { ...defaults, ...options };
    if (!(o.tracestateMaxLength >= 0) || !Number.isInteger(o.tracestateMaxLength)) {
      throw new RangeError(
        `tracestateMaxLength must be a non-negative integer, got ${o.tracestateMaxLength}`,
      );
    }
    this.#tracestateMaxLength = o.tracestateMaxLength;
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const sc = trace.getSpanContext(context);
    if (sc === undefined || !isValidTraceId(sc.traceId) || !isValidSpanId(sc.spanId)) return;
    // Unknown flags MUST be sent as zero; sampled and random are kept.
    setter.set(
      carrier,
      TRACEPARENT_HEADER,
      formatTraceparent({
        traceId: sc.traceId,
        parentId: sc.spanId,
        traceFlags: sc.traceFlags & KNOWN_FLAGS,
      }),
    );
    const state = formatTracestate(sc.traceState, this.#tracestateMaxLength);
    if (state !== '') setter.set(carrier, TRACESTATE_HEADER, state);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const sc = extractSpanContext(carrier, getter);
    if (sc === undefined) return context;
    return trace.setSpanContext(context, sc);
  }

  fields(): string[] {
    return [TRACEPARENT_HEADER, TRACESTATE_HEADER];
  }
}
