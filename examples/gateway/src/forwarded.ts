// The RFC 7239 `Forwarded` element the gateway appends, and the de-facto X-Forwarded-* values.

// token = 1*tchar (RFC 9110 §5.6.2); anything else is sent as a quoted-string.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function value(v: string): string {
  return TOKEN.test(v) ? v : `"${v.replace(/["\\]/g, '\\$&')}"`;
}

/** A node: IPv6 addresses are bracketed (and therefore quoted), unknown ones are `unknown`. */
export function forwardedNode(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  // IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is an IPv4 client.
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  return address.includes(':') ? `[${address}]` : address;
}

/** One `Forwarded` element: `for=…;host=…;proto=…` (RFC 7239 §4). */
export function forwardedElement(forNode: string, host: string | undefined, proto: string): string {
  let out = `for=${value(forNode)}`;
  if (host !== undefined && host !== '') out += `;host=${value(host)}`;
  return `${out};proto=${proto}`;
}
