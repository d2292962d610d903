// One prom-client Registry per service instance (several instances share a process in tests, so
// nothing goes to prom-client's global registry): process metrics plus per-route HTTP figures.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface ServiceMetrics {
  readonly registry: Registry;
  /** Starts timing a request; the route label is read when the response finishes (routing is done by then). */
  track(req: IncomingMessage, res: ServerResponse, route: () => string): void;
  /** `GET /metrics`. */
  serve(res: ServerResponse): void;
}

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createServiceMetrics(labels: { service: string; instance: string }): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: labels.service, instance: labels.instance });
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'shop_http_requests_total',
    help: 'HTTP requests served, by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'shop_http_request_duration_seconds',
    help: 'Time to serve an HTTP request, by route',
    labelNames: ['method', 'route'] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    track(req, res, route) {
      const start = performance.now();
      res.once('finish', () => {
        const method = req.method ?? 'GET';
        const r = route();
        requests.inc({ method, route: r, status: String(res.statusCode) });
        duration.observe({ method, route: r }, (performance.now() - start) / 1_000);
      });
    },
    serve(res) {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`metrics failed: ${String(error)}\n`);
        },
      );
    },
  };
}
