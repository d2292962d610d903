// Reads one header/metadata value from the shapes transports hand out: a WHATWG `Headers`, grpc-js
// `Metadata` (get() returns an array), or a plain record as undici.request returns (lower-case keys,
// string or string[] values). Never throws.

export function readHeader(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  let v: unknown;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') {
    try {
      v = (get as (key: string) => unknown).call(headers, name);
    } catch {
      return undefined;
    }
  } else {
    const record = headers as Record<string, unknown>;
    v = record[name];
    if (v === undefined) {
      const lower = name.toLowerCase();
      for (const key of Object.keys(record)) {
        if (key.toLowerCase() === lower) {
          v = record[key];
          break;
        }
      }
    }
  }
  if (Array.isArray(v)) v = v[0];
  return typeof v === 'string' ? v : undefined; // binary metadata values are not pushback
}
