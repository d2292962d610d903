// createDashboard: the collector, the sources, one push timer (only while a stream is open) and
// the request handler, with close() undoing all of it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Collector } from './collector.js';
import { checkSource, type DashboardOptions, resolveDashboardOptions } from './options.js';
import { newNonce, pageCsp, renderPage } from './page.js';
import { matchRoute } from './routes.js';
import { buildPageFrame, buildSnapshot, type SnapshotInput } from './snapshot.js';
import { SSE_HEADERS, SseStreams, sseFrame } from './sse-stream.js';
import type { DashboardSnapshot, DashboardSource } from './types.js';

/** node:http's listener signature, plus Connect/Express's optional `next`. */
export type DashboardHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (err?: unknown) => void,
) => void;

export interface Dashboard extends AsyncDisposable {
  /** Serves the page, the SSE stream and the JSON snapshot; mount on node:http, Express or Fastify. */
  readonly handler: DashboardHandler;
  addSource(source: DashboardSource): void;
  removeSource(source: DashboardSource): void;
  /** The current snapshot (closes the interval first if it has run its length). */
  snapshot(): DashboardSnapshot;
  /** Closes the current interval now and pushes a snapshot to every open stream (tests, custom schedules). */
  tick(): void;
  /** Open SSE streams. */
  readonly streams: number;
  /** Ends the streams, unsubscribes from the channels, stops the timer. Idempotent. */
  close(): Promise<void>;
}

/** `?view=page` in the query. */
function wantsPageFrames(url = ''): boolean {
  const q = url.indexOf('?');
  return q >= 0 && new URLSearchParams(url.slice(q + 1).split('#', 1)[0]).get('view') === 'page';
}

export function createDashboard(options: DashboardOptions = {}): Dashboard {
  const o = resolveDashboardOptions(options);
  const sources = new Set<DashboardSource>(o.sources);
  const collector = new Collector(o);
  collector.subscribe();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let closing: Promise<void> | undefined;

  const stopTimer = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  const streams = new SseStreams(stopTimer);

  const input = (): SnapshotInput => ({
    at: o.clock.now(),
    intervalMs: o.intervalMs,
    title: o.title,
    collector,
    sources,
  });
  const build = (): DashboardSnapshot => buildSnapshot(input());

  const push = (): void => {
    collector.tick();
    const n = streams.size;
    if (n === 0) return;
    // Each kind of frame is built only when a stream takes it.
    const pages = streams.pageStreams;
    const full = n > pages ? sseFrame('snapshot', JSON.stringify(build())) : undefined;
    const page =
      pages > 0 ? sseFrame('snapshot', JSON.stringify(buildPageFrame(input(), o.historyPoints))) : undefined;
    streams.broadcast(full, page);
  };

  const send = (res: ServerResponse, status: number, type: string, body: string, head: boolean): void => {
    res.writeHead(status, {
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.end(head ? undefined : body);
  };

  const handler: DashboardHandler = (req, res, next) => {
    const route = matchRoute(req.url, o.basePath);
    if (route === undefined) {
      if (next !== undefined) next();
      else send(res, 404, 'text/plain; charset=utf-8', 'not found\n', req.method === 'HEAD');
      return;
    }
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', false);
      return;
    }
    if (closed) {
      send(res, 503, 'text/plain; charset=utf-8', 'dashboard closed\n', head);
      return;
    }
    if (route === 'page') {
      const nonce = newNonce();
      const body = renderPage(nonce, o.title);
      res.setHeader('content-security-policy', pageCsp(nonce));
      res.setHeader('referrer-policy', 'no-referrer');
      res.setHeader('x-frame-options', 'DENY');
      send(res, 200, 'text/html; charset=utf-8', body, head);
      return;
    }
    collector.maybeTick();
    if (route === 'snapshot') {
      send(res, 200, 'application/json; charset=utf-8', JSON.stringify(build()), head);
      return;
    }
    if (head) {
      res.writeHead(200, SSE_HEADERS).end();
      return;
    }
    if (streams.size >= o.maxClients) {
      send(res, 503, 'text/plain; charset=utf-8', 'too many streams\n', false);
      return;
    }
    // The page asks for `stream?view=page`: the first frame is the full snapshot, later ones leave
    // out the histories (the page extends its own), a fifth of the bytes to send, parse and decode.
    streams.open(req, res, sseFrame('snapshot', JSON.stringify(build())), wantsPageFrames(req.url));
    if (timer === undefined) {
      timer = setInterval(push, o.intervalMs);
      timer.unref();
    }
  };

  const close = (): Promise<void> => {
    if (closing !== undefined) return closing;
    closed = true;
    stopTimer();
    collector.unsubscribe();
    sources.clear();
    closing = streams.closeAll();
    return closing;
  };

  return Object.freeze({
    handler,
    addSource(source: DashboardSource): void {
      sources.add(checkSource(source));
    },
    removeSource(source: DashboardSource): void {
      sources.delete(source);
    },
    snapshot(): DashboardSnapshot {
      collector.maybeTick();
      return build();
    },
    tick(): void {
      if (!closed) push();
    },
    get streams(): number {
      return streams.size;
    },
    close,
    [Symbol.asyncDispose]: close,
  });
}
