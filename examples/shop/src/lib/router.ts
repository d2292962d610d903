// A tiny method + path router for the node:http services (the frontend shows the Express way).
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Params = Readonly<Record<string, string>>;
export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: Params,
) => void | Promise<void>;

interface Route {
  readonly method: string;
  readonly pattern: string;
  readonly segments: readonly string[];
  readonly handler: RouteHandler;
}

export type RouteMatch =
  | {
      readonly type: 'match';
      readonly route: string;
      readonly handler: RouteHandler;
      readonly params: Params;
    }
  | { readonly type: 'not-found' }
  | { readonly type: 'method-not-allowed'; readonly allow: readonly string[] };

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

export class Router {
  readonly #routes: Route[] = [];

  /** `pattern` segments starting with ':' capture one path segment. */
  add(method: string, pattern: string, handler: RouteHandler): this {
    this.#routes.push({ method, pattern, segments: split(pattern), handler });
    return this;
  }

  match(method: string, url: string): RouteMatch {
    const q = url.indexOf('?');
    const parts = split(q === -1 ? url : url.slice(0, q));
    const allow: string[] = [];
    for (const r of this.#routes) {
      const params = matchSegments(r.segments, parts);
      if (params === undefined) continue;
      if (r.method === method || (method === 'HEAD' && r.method === 'GET')) {
        return { type: 'match', route: r.pattern, handler: r.handler, params };
      }
      allow.push(r.method);
    }
    return allow.length === 0 ? { type: 'not-found' } : { type: 'method-not-allowed', allow };
  }
}

function matchSegments(pattern: readonly string[], parts: readonly string[]): Params | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const v = parts[i]!;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(v);
      } catch {
        return undefined; // malformed %-escape: no route
      }
    } else if (p !== v) return undefined;
  }
  return params;
}
