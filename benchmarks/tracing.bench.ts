// @breakwater/tracing against a straightforward regex codec and OpenTelemetry's own
// W3CTraceContextPropagator (@opentelemetry/core), same run: traceparent parse+format, the
// per-hop extract → new span id → inject path, tracestate parse+serialize, and id generation vs
// crypto.randomBytes per id. Run: npx tsc -b packages/tracing && node scripts/run-benchmarks.mjs tracing
import { randomBytes } from 'node:crypto';
import {
  createIdGenerator,
  extractSpanContext,
  formatTraceparent,
  formatTracestate,
  KNOWN_FLAGS,
  parseTraceparent,
  parseTracestate,
  TraceContextPropagator,
} from '@breakwater/tracing';
import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type SpanContext,
  trace,
} from '@opentelemetry/api';
import { TraceState as OtelTraceState, W3CTraceContextPropagator } from '@opentelemetry/core';
import { type CaseResult, suite, suiteTable, writeResults } from './lib/harness.js';
import { versionOf } from './lib/machine.js';

// Distinct inputs, rotated, so no case benefits from one constant string; flattened, as header
// values parsed by node:http are (template literals would be rope strings).
const N = 64;
const ids = createIdGenerator();
const flat = (s: string): string => Buffer.from(s, 'latin1').toString('latin1');
const headers = Array.from({ length: N }, (_, i) => flat(`00-${ids.traceId()}-${ids.spanId()}-0${i % 4}`));
const states = Array.from({ length: N }, (_, i) =>
  flat(`rojo=00f067aa0ba902b7,congo=t61rcWkgMzE${i},tenant@vendor=${i}`),
);
// The machine is shared and noisy: more rounds than the default for steadier medians.
const opts = { rounds: 25 };
const carriers = headers.map((traceparent, i) => ({ traceparent, tracestate: states[i]! }));
let k = 0;
const next = (): number => {
  k = (k + 1) & (N - 1);
  return k;
};

// The straightforward way: one regex, then checks the regex cannot express.
const TRACEPARENT_RE = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
function regexParse(value: string): { traceId: string; parentId: string; traceFlags: number } | null {
  const m = TRACEPARENT_RE.exec(value.trim());
  if (m === null || m[1] === 'ff' || (m[1] === '00' && m[5] !== undefined)) return null;
  if (m[2] === '00000000000000000000000000000000' || m[3] === '0000000000000000') return null;
  return { traceId: m[2]!, parentId: m[3]!, traceFlags: Number.parseInt(m[4]!, 16) };
}
function regexFormat(tp: { traceId: string; parentId: string; traceFlags: number }): string {
  return `00-${tp.traceId}-${tp.parentId}-${tp.traceFlags.toString(16).padStart(2, '0')}`;
}

const otel = new W3CTraceContextPropagator();
const ours = new TraceContextPropagator();
const otelVersion = versionOf('@opentelemetry/core');
let sink: unknown;

// --- traceparent parse + format ---------------------------------------------------------------
const parseFormat = await suite(
  'traceparent parse + format',
  [
    {
      name: 'regex parse + template format (baseline)',
      fn: () => {
        const tp = regexParse(headers[next()]!);
        sink = tp === null ? '' : regexFormat(tp);
      },
    },
    {
      name: 'breakwater parseTraceparent + formatTraceparent',
      fn: () => {
        const tp = parseTraceparent(headers[next()]!);
        sink = tp === null ? '' : formatTraceparent(tp);
      },
    },
    {
      name: `OpenTelemetry core ${otelVersion} W3CTraceContextPropagator extract + inject (traceparent only)`,
      fn: () => {
        const out: Record<string, string> = {};
        const ctx = otel.extract(ROOT_CONTEXT, { traceparent: headers[next()]! }, defaultTextMapGetter);
        otel.inject(ctx, out, defaultTextMapSetter);
        sink = out;
      },
    },
    {
      name: 'breakwater TraceContextPropagator extract + inject (traceparent only)',
      fn: () => {
        const out: Record<string, string> = {};
        const ctx = ours.extract(ROOT_CONTEXT, { traceparent: headers[next()]! }, defaultTextMapGetter);
        ours.inject(ctx, out, defaultTextMapSetter);
        sink = out;
      },
    },
  ],
  opts,
);

// --- one hop: extract both headers, new span id, inject ------------------------------------------
const hop = await suite(
  'one hop: extract traceparent + tracestate, new span id, inject',
  [
    {
      name: 'regex parse, tracestate copied unvalidated, new span id, format (baseline)',
      fn: () => {
        const c = carriers[next()]!;
        const tp = regexParse(c.traceparent);
        const out: Record<string, string> = {};
        if (tp !== null) {
          out.traceparent = regexFormat({
            traceId: tp.traceId,
            parentId: ids.spanId(),
            traceFlags: tp.traceFlags,
          });
          out.tracestate = c.tracestate;
        }
        sink = out;
      },
    },
    {
      name: 'breakwater codec: extractSpanContext, new span id, format both',
      fn: () => {
        const out: Record<string, string> = {};
        const sc = extractSpanContext(carriers[next()]!, defaultTextMapGetter);
        if (sc !== undefined) {
          out.traceparent = formatTraceparent({
            traceId: sc.traceId,
            parentId: ids.spanId(),
            traceFlags: sc.traceFlags & KNOWN_FLAGS,
          });
          const ts = formatTracestate(sc.traceState);
          if (ts !== '') out.tracestate = ts;
        }
        sink = out;
      },
    },
    {
      name: 'breakwater TraceContextPropagator extract + child context + inject',
      fn: () => {
        const out: Record<string, string> = {};
        const sc = trace.getSpanContext(ours.extract(ROOT_CONTEXT, carriers[next()]!, defaultTextMapGetter));
        if (sc !== undefined) {
          const child: SpanContext = { ...sc, spanId: ids.spanId(), isRemote: false };
          ours.inject(trace.setSpanContext(ROOT_CONTEXT, child), out, defaultTextMapSetter);
        }
        sink = out;
      },
    },
    {
      name: `OpenTelemetry core ${otelVersion} propagator extract + child context + inject`,
      fn: () => {
        const out: Record<string, string> = {};
        const sc = trace.getSpanContext(otel.extract(ROOT_CONTEXT, carriers[next()]!, defaultTextMapGetter));
        if (sc !== undefined) {
          const child: SpanContext = { ...sc, spanId: ids.spanId(), isRemote: false };
          otel.inject(trace.setSpanContext(ROOT_CONTEXT, child), out, defaultTextMapSetter);
        }
        sink = out;
      },
    },
  ],
  opts,
);

// --- tracestate --------------------------------------------------------------------------------
const tracestate = await suite(
  'tracestate parse + serialize (3 members)',
  [
    {
      name: 'split + join, no validation (baseline)',
      fn: () => {
        sink = states[next()]!.split(',')
          .map((m) => m.trim())
          .filter((m) => m !== '')
          .join(',');
      },
    },
    {
      name: 'breakwater parseTracestate + serialize',
      fn: () => {
        sink = parseTracestate(states[next()]!)?.serialize();
      },
    },
    {
      name: `OpenTelemetry core ${otelVersion} new TraceState(header).serialize()`,
      fn: () => {
        sink = new OtelTraceState(states[next()]!).serialize();
      },
    },
  ],
  opts,
);

// --- id generation -----------------------------------------------------------------------------
const idResults = await suite(
  'id generation',
  [
    {
      name: 'crypto.randomBytes(8).toString("hex") per span id (baseline)',
      fn: () => (sink = randomBytes(8).toString('hex')),
    },
    {
      name: 'crypto.randomBytes(16).toString("hex") per trace id',
      fn: () => (sink = randomBytes(16).toString('hex')),
    },
    { name: 'breakwater spanId() (pooled)', fn: () => (sink = ids.spanId()) },
    { name: 'breakwater traceId() (pooled)', fn: () => (sink = ids.traceId()) },
  ],
  opts,
);
void sink;

const find = (rs: CaseResult[], prefix: string): CaseResult => rs.find((r) => r.name.startsWith(prefix))!;
const pf = find(parseFormat, 'breakwater parseTraceparent');
const pfRegex = parseFormat[0]!;
const pfOtel = find(parseFormat, 'OpenTelemetry');
const pfOurs = find(parseFormat, 'breakwater TraceContextPropagator');
const hopOurs = find(hop, 'breakwater TraceContextPropagator');
const hopCodec = find(hop, 'breakwater codec');
const hopOtel = find(hop, 'OpenTelemetry');
const span = find(idResults, 'breakwater spanId');
const traceIdR = find(idResults, 'breakwater traceId');
const rb = idResults[0]!;

const goals = [
  '### Goals',
  '',
  '| goal | measured | met |',
  '| --- | ---: | --- |',
  `| parse+format ≤ 200 ns | ${pf.medianNs.toFixed(0)} ns | ${pf.medianNs <= 200 ? 'yes' : 'no'} |`,
  `| id generation ≤ 100 ns | ${span.medianNs.toFixed(0)} ns (span id), ${traceIdR.medianNs.toFixed(0)} ns (trace id) | ${Math.max(span.medianNs, traceIdR.medianNs) <= 100 ? 'yes' : 'no'} |`,
  '',
  `Same run: breakwater parse+format takes ${(pf.medianNs / pfRegex.medianNs).toFixed(2)}× the regex codec's time; ` +
    `through the propagator API, extract+inject takes ${(pfOurs.medianNs / pfOtel.medianNs).toFixed(2)}× OpenTelemetry's ` +
    `(one hop with tracestate: ${(hopOurs.medianNs / hopOtel.medianNs).toFixed(2)}×, codec only ${(hopCodec.medianNs / hopOtel.medianNs).toFixed(2)}×). ` +
    `A pooled span id takes ${(span.medianNs / rb.medianNs).toFixed(3)}× the time of randomBytes per id.`,
  '',
  'Note: breakwater does more work than the OpenTelemetry propagator on the hop: it validates every tracestate',
  'key and value by the Level 2 grammar (OpenTelemetry checks them with regexes too, but keeps invalid lists',
  'partially), and applies the 512-character truncation rule when sending.',
].join('\n');

writeResults(
  'tracing',
  'W3C Trace Context codec and propagator (@breakwater/tracing)',
  'npx tsc -b packages/tracing && node scripts/run-benchmarks.mjs tracing',
  [
    goals,
    suiteTable('traceparent parse + format', parseFormat),
    suiteTable('one hop: extract traceparent + tracestate, new span id, inject', hop),
    suiteTable('tracestate parse + serialize (3 members)', tracestate),
    suiteTable('id generation', idResults),
  ].join('\n\n'),
  {
    'tracing.parse-format.ns': pf.medianNs,
    'tracing.regex-parse-format.ns': pfRegex.medianNs,
    'tracing.propagator-vs-otel.ratio': pfOurs.medianNs / pfOtel.medianNs,
    'tracing.span-id.ns': span.medianNs,
    'tracing.trace-id.ns': traceIdR.medianNs,
  },
);
