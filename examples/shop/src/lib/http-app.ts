// The request pipeline of the node:http backends (catalog, cart), outermost first:
//   trace context (continue the caller's traceparent) → metrics + access log → /health, /metrics
//   → fault injection (and its /admin/faults route) → the service's routes.
// Health and metrics sit before the faults so chaos never hides an instance from its own probes.
import { AsyncResource } from 'node:async_hooks';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { HttpFaultsMiddleware } from '@breakwater/chaos';
import { createTracingMiddleware } from '@breakwater/tracing';
import type { HealthState } from './health.js';
import { BodyError, sendJson } from './json-http.js';
import type { Logger } from './logger.js';
import type { ServiceMetrics } from './metrics.js';
import type { Router } from './router.js';

export interface HttpAppOptions {
  readonly router: Router;
  readonly health: HealthState;
  readonly metrics: ServiceMetrics;
  readonly logger: Logger;
  /** Fault injection with `adminPath: '/admin/faults'`. */
  readonly faults: HttpFaultsMiddleware;
}

export const ADMIN_FAULTS_PATH = '/admin/faults';

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

export function createHttpApp(o: HttpAppOptions): RequestListener {
  const tracing = createTracingMiddleware();
  const { router, health, metrics, logger, faults } = o;

  const handle = (req: IncomingMessage, res: ServerResponse, setRoute: (r: string) => void): void => {
    const url = req.url ?? '/';
    const path = pathOf(url);
    if (path === '/health' && req.method === 'GET') {
      setRoute('/health');
      health.serve(res);
      return;
    }
    if (path === '/metrics' && req.method === 'GET') {
      setRoute('/metrics');
      metrics.serve(res);
      return;
    }
    if (path === ADMIN_FAULTS_PATH) setRoute(ADMIN_FAULTS_PATH);
    faults(req, res, () => {
      const m = router.match(req.method ?? 'GET', url);
      if (m.type === 'not-found') {
        sendJson(res, 404, { error: `no route for ${req.method} ${path}` });
        return;
      }
      if (m.type === 'method-not-allowed') {
        sendJson(res, 405, { error: `use ${m.allow.join(', ')}` }, { allow: m.allow.join(', ') });
        return;
      }
      setRoute(m.route);
      let result: void | Promise<void>;
      try {
        result = m.handler(req, res, m.params);
      } catch (error) {
        fail(res, error);
        return;
      }
      if (result !== undefined) result.catch((error: unknown) => fail(res, error));
    });
  };

  const fail = (res: ServerResponse, error: unknown): void => {
    if (error instanceof BodyError) {
      if (!res.headersSent) sendJson(res, error.status, { error: error.message });
      return;
    }
    logger.error('handler failed', { error });
    if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    else res.destroy();
  };

  return (req, res) => {
    tracing(req, res, () => {
      let route = 'unmatched';
      const start = performance.now();
      metrics.track(req, res, () => route);
      // Bound to the request's context, so the access line carries its trace id.
      res.once(
        'finish',
        AsyncResource.bind(() => {
          logger.info('request', {
            method: req.method,
            path: pathOf(req.url ?? '/'),
            route,
            status: res.statusCode,
            durationMs: Math.round((performance.now() - start) * 10) / 10,
          });
        }),
      );
      // A draining instance tells keep-alive clients to reconnect (elsewhere).
      if (health.draining) res.setHeader('connection', 'close');
      handle(req, res, (r) => {
        route = r;
      });
    });
  };
}
