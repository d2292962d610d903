// Hop-by-hop headers (RFC 9110 §7.6.1): meaningful for one connection only, so a proxy removes
// them, plus every header the Connection header names, in both directions.

/** Lower-case names that never cross the gateway. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The header names listed in Connection values (lower case), e.g. `close, X-Foo` → {close, x-foo}. */
export function connectionTokens(values: string | readonly string[] | undefined): Set<string> | undefined {
  if (values === undefined) return undefined;
  let out: Set<string> | undefined;
  for (const value of typeof values === 'string' ? [values] : values) {
    for (const token of value.split(',')) {
      const t = token.trim().toLowerCase();
      if (t === '') continue;
      out ??= new Set();
      out.add(t);
    }
  }
  return out;
}

/** True for hop-by-hop names, `proxy-*` names and names listed in Connection. */
export function isHopByHop(lowerName: string, listed: ReadonlySet<string> | undefined): boolean {
  return HOP_BY_HOP.has(lowerName) || lowerName.startsWith('proxy-') || listed?.has(lowerName) === true;
}
