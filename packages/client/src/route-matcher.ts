// Per-route overrides: method + path pattern, compiled once to a RegExp.

export interface RouteMatcher {
  /** Upper-case methods, or undefined for all. */
  readonly methods: ReadonlySet<string> | undefined;
  readonly path: RegExp;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** `/items/:id` matches one segment per `:name`; a trailing or inner `*` matches anything. */
export function compileRoute(
  name: string,
  method: string | readonly string[] | undefined,
  path: string | RegExp,
): RouteMatcher {
  let methods: Set<string> | undefined;
  if (method !== undefined) {
    const list = typeof method === 'string' ? [method] : method;
    if (!Array.isArray(list) || list.some((m) => typeof m !== 'string' || m === '')) {
      throw new TypeError(`${name}.method must be a method name or an array of them`);
    }
    methods = new Set(list.map((m) => m.toUpperCase()));
  }
  if (path instanceof RegExp) return Object.freeze({ methods, path });
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new TypeError(`${name}.path must be a RegExp or a string starting with '/', got ${String(path)}`);
  }
  const source = path
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) return '[^/]+';
      return seg.split('*').map(escapeRegExp).join('.*');
    })
    .join('/');
  return Object.freeze({ methods, path: new RegExp(`^${source}/?$`) });
}

/** Does the route match this method and path (query stripped)? */
export function matchRoute(m: RouteMatcher, method: string, path: string): boolean {
  if (m.methods !== undefined && !m.methods.has(method)) return false;
  const q = path.indexOf('?');
  return m.path.test(q === -1 ? path : path.slice(0, q));
}
