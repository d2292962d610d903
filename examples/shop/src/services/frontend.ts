// frontend: the shop's HTTP entry point, an Express 5 app calling catalog and cart (HTTP) and
// pricing (gRPC) through Breakwater clients. Run as a process:
//   BREAKWATER_STATIC_SERVICES='catalog=…;cart=…;pricing=…' \
//     tsx --conditions=breakwater-source examples/shop/src/services/frontend.ts
//
// Middleware order (outermost first), the way Breakwater goes into an existing Express service:
//   1. trace context   createTracingMiddleware(): continue the caller's traceparent; everything
//                      after it (handlers, logs, outgoing client calls) runs in that trace
//   2. metrics + log   per-route counter/histogram (prom-client) and one JSON access line
//   3. /health, /metrics   before the app, so they answer even when the app is busy or broken
//   4. the app         /, /api/* (Breakwater clients inside)
//   5. /dashboard      createDashboard(...).handler, mounted last; Express strips the mount path
//   6. 404 and error handler
import { AsyncResource } from 'node:async_hooks';
import { createServer, type IncomingMessage } from 'node:http';
import { createDashboard, type Dashboard } from '@breakwater/client';
import { type Registry, registryFromEnv } from '@breakwater/discovery';
import { createTracingMiddleware } from '@breakwater/tracing';
import express, { type NextFunction, type Request, type Response } from 'express';
import { HealthState } from '../lib/health.js';
import { drain, listen } from '../lib/http-lifecycle.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { isMainModule, runServiceProcess } from '../lib/main.js';
import { createServiceMetrics } from '../lib/metrics.js';
import type { RunningService } from '../lib/running-service.js';
import {
  type Env,
  resolveServiceOptions,
  type ServiceOptions,
  serviceOptionsFromEnv,
} from '../lib/service-options.js';
import { createApiRouter } from './frontend-api.js';
import { type Backends, createBackends, UpstreamError } from './frontend-backends.js';
import { SHOP_PAGE } from './frontend-page.js';

export interface FrontendOptions extends ServiceOptions {
  /** Where catalog, cart and pricing are. Default: registryFromEnv(env); a given registry is not closed. */
  readonly registry?: Registry;
  /** For registryFromEnv (BREAKWATER_REGISTRY, BREAKWATER_STATIC_SERVICES, CONSUL_HTTP_ADDR…). Default process.env. */
  readonly env?: Env;
  /** Dashboard aggregation interval. Default 1,000 ms. */
  readonly dashboardIntervalMs?: number;
}

export interface FrontendService extends RunningService {
  readonly logger: Logger;
  readonly backends: Backends;
  readonly dashboard: Dashboard;
}

function routeOf(req: IncomingMessage): string {
  const r = req as Request;
  const path = r.route?.path as string | undefined;
  const url = r.originalUrl ?? req.url ?? '/';
  if (path !== undefined) return url.startsWith('/api/') ? `/api${path}` : path;
  if (url.startsWith('/dashboard')) return '/dashboard';
  return 'unmatched';
}

export async function startFrontend(options: FrontendOptions = {}): Promise<FrontendService> {
  const o = resolveServiceOptions('frontend', options);
  const logger = createLogger({
    service: 'frontend',
    instance: o.instance,
    level: o.logLevel,
    ...(o.log === undefined ? {} : { sink: o.log }),
  });
  const ownsRegistry = options.registry === undefined;
  const registry = options.registry ?? registryFromEnv(options.env ?? process.env);
  const health = new HealthState(o.instance);
  const metrics = createServiceMetrics({ service: 'frontend', instance: o.instance });
  const backends = createBackends(registry, metrics.registry);
  const dashboard = createDashboard({
    sources: [backends.http, backends.pricing],
    title: 'Breakwater shop — frontend',
    ...(options.dashboardIntervalMs === undefined ? {} : { intervalMs: options.dashboardIntervalMs }),
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // 1. trace context
  app.use(createTracingMiddleware());
  // 2. metrics and access log (bound to the request's context, so the line has its trace id)
  app.use((req: Request, res: Response, next: NextFunction) => {
    const start = performance.now();
    metrics.track(req, res, () => routeOf(req));
    res.once(
      'finish',
      AsyncResource.bind(() => {
        logger.info('request', {
          method: req.method,
          path: req.originalUrl.split('?')[0],
          route: routeOf(req),
          status: res.statusCode,
          durationMs: Math.round((performance.now() - start) * 10) / 10,
        });
      }),
    );
    if (health.draining) res.setHeader('connection', 'close');
    next();
  });
  // 3. health and metrics
  app.get('/health', (_req: Request, res: Response) => health.serve(res));
  app.get('/metrics', (_req: Request, res: Response) => metrics.serve(res));
  // 4. the shop
  app.get('/', (_req: Request, res: Response) => {
    res.type('html').send(SHOP_PAGE);
  });
  app.use('/api', createApiRouter(backends, logger));
  // 5. the dashboard (its own routes: /, /stream, /snapshot.json)
  app.use('/dashboard', dashboard.handler);
  // 6. 404 and errors
  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: `no route for ${req.method} ${req.path}` });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (error instanceof UpstreamError) {
      if (error.status >= 500)
        logger.warn('backend call failed', { service: error.service, error: error.cause ?? error });
      res.status(error.status).json({ error: error.message });
      return;
    }
    const e = error as { status?: unknown; type?: unknown; message?: unknown };
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      // body-parser: entity.parse.failed (400), entity.too.large (413), …
      res.status(e.status).json({ error: typeof e.message === 'string' ? e.message : 'bad request' });
      return;
    }
    logger.error('request failed', { error });
    if (res.headersSent) res.destroy();
    else res.status(500).json({ error: 'internal error' });
  });

  const server = createServer(app);
  server.headersTimeout = 10_000;
  let port: number;
  try {
    port = await listen(server, o.host, o.port);
  } catch (error) {
    await dashboard.close();
    await backends.close();
    if (ownsRegistry) await registry.close();
    throw error;
  }
  logger.info('listening', { host: o.host, port, adminPort: port });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      logger.info('draining', { timeoutMs: o.drainTimeoutMs });
      health.drain();
      await dashboard.close(); // ends SSE streams, which would otherwise hold the drain
      await drain(server, o.drainTimeoutMs);
      await backends.close();
      if (ownsRegistry) await registry.close();
      logger.info('closed');
    })();
    return closing;
  };
  return Object.freeze({
    service: 'frontend',
    instance: o.instance,
    port,
    adminPort: port,
    logger,
    backends,
    dashboard,
    close,
    [Symbol.asyncDispose]: close,
  });
}

if (isMainModule(import.meta.url)) {
  void runServiceProcess(() => startFrontend({ ...serviceOptionsFromEnv(process.env), env: process.env }));
}
