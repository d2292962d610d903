// Getters and setters for common carriers. The node:http getter reads `rawHeaders`, not
// `headers`, so repeated header lines are seen as such (node would join them with ", ").
import type { TextMapGetter, TextMapSetter } from '@opentelemetry/api';

/** Anything with node:http's `rawHeaders` shape: [name0, value0, name1, value1, ...]. */
export interface RawHeadersCarrier {
  readonly rawHeaders: readonly string[];
}

/** Every value of header `name` (case-insensitive), in order; one line → string, several → string[]. */
export function rawHeaderValues(rawHeaders: readonly string[], name: string): string | string[] | undefined {
  let first: string | undefined;
  let all: string[] | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const n = rawHeaders[i]!;
    if (n.length !== name.length || n.toLowerCase() !== name) continue;
    const v = rawHeaders[i + 1]!;
    if (first === undefined) first = v;
    else if (all === undefined) all = [first, v];
    else all.push(v);
  }
  return all ?? first;
}

/** Getter for node:http `IncomingMessage` (or any `{ rawHeaders }`); keys are lowercase. */
export const rawHeadersGetter: TextMapGetter<RawHeadersCarrier> = {
  keys(carrier) {
    const names = new Set<string>();
    const raw = carrier.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) names.add(raw[i]!.toLowerCase());
    return [...names];
  },
  get(carrier, key) {
    return rawHeaderValues(carrier.rawHeaders, key.toLowerCase());
  },
};

/** Setter for WHATWG `Headers` (fetch) or anything with `set(name, value)`. */
export const headersSetter: TextMapSetter<{ set(name: string, value: string): void }> = {
  set(carrier, key, value) {
    carrier.set(key, value);
  },
};

/** Setter for a plain object of header values, e.g. undici's `headers` or node:http's `OutgoingHttpHeaders`. */
export const recordSetter: TextMapSetter<Record<string, unknown>> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};
