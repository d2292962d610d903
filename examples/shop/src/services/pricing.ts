// pricing: Quote over gRPC (grpc-js) with grpc.health.v1, fault injection around Quote, and an HTTP
// admin server (ADMIN_PORT) for /health, /metrics and /admin/faults. Run as a process:
//   tsx --conditions=breakwater-source examples/shop/src/services/pricing.ts
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type GrpcFaultSpec, grpcFaults } from '@breakwater/chaos';
import { traceRequestListener } from '@breakwater/tracing';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { Counter, Histogram } from 'prom-client';
import { withGrpcServerSpan } from '../lib/grpc-trace.js';
import { HealthState } from '../lib/health.js';
import { drain, listen } from '../lib/http-lifecycle.js';
import { BodyError, readJsonBody, sendJson } from '../lib/json-http.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { isMainModule, runServiceProcess } from '../lib/main.js';
import { createServiceMetrics } from '../lib/metrics.js';
import {
  PRICING_SERVICE,
  pricingConstructor,
  type QuoteReply,
  type QuoteRequest,
} from '../lib/pricing-proto.js';
import { selfRegister } from '../lib/registration.js';
import type { RunningService } from '../lib/running-service.js';
import {
  checkPort,
  resolveServiceOptions,
  type ServiceOptions,
  serviceOptionsFromEnv,
} from '../lib/service-options.js';
import { quote } from './pricing-quote.js';

export interface PricingOptions extends ServiceOptions {
  /** Port of the HTTP admin server (/health, /metrics, /admin/faults). Default 0. */
  readonly adminPort?: number;
  /** Faults around Quote from the start (default none); change them with POST /admin/faults. */
  readonly faults?: GrpcFaultSpec;
  readonly faultSeed?: number;
}

export interface PricingService extends RunningService {
  readonly logger: Logger;
  /** A crash, for in-process chaos tests: every call and connection dropped, no drain, no deregistration. */
  kill(): Promise<void>;
}

const ADMIN_BODY_LIMIT = 64 * 1024;

function bindGrpc(server: grpc.Server, address: string): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port),
    ),
  );
}

function grpcAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export async function startPricing(options: PricingOptions = {}): Promise<PricingService> {
  const o = resolveServiceOptions('pricing', options);
  const adminPortOption = checkPort('adminPort', options.adminPort ?? 0);
  const logger = createLogger({
    service: 'pricing',
    instance: o.instance,
    level: o.logLevel,
    ...(o.log === undefined ? {} : { sink: o.log }),
  });
  const health = new HealthState(o.instance);
  const metrics = createServiceMetrics({ service: 'pricing', instance: o.instance });
  const rpcs = new Counter({
    name: 'shop_grpc_requests_total',
    help: 'gRPC calls served, by method and status code',
    labelNames: ['method', 'code'] as const,
    registers: [metrics.registry],
  });
  const rpcDuration = new Histogram({
    name: 'shop_grpc_request_duration_seconds',
    help: 'Time to serve a gRPC call, by method (injected latency included)',
    labelNames: ['method'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [metrics.registry],
  });
  const faults = grpcFaults({
    faults: options.faults ?? {},
    ...(options.faultSeed === undefined ? {} : { seed: options.faultSeed }),
  });

  // Quote: the trace span and the metrics sit outside the faults, so injected errors are seen.
  const Pricing = pricingConstructor();
  const quoteHandler: grpc.handleUnaryCall<QuoteRequest, QuoteReply> = (call, callback) => {
    const result = quote(call.request);
    if (!result.ok) {
      logger.info('quote refused', { code: result.code, details: result.details });
      callback({ code: result.code, details: result.details } as grpc.ServiceError);
      return;
    }
    logger.info('quote', { skus: call.request.skus.length, currency: result.prices[0]?.currency ?? 'USD' });
    callback(null, { prices: result.prices });
  };
  const faulty = faults.wrap(quoteHandler);
  const observed: grpc.handleUnaryCall<QuoteRequest, QuoteReply> = (call, callback) => {
    const start = performance.now();
    withGrpcServerSpan('shop.pricing.v1.Pricing/Quote', call.metadata, (end) => {
      faulty(call, (error, value) => {
        const code = error === null ? grpc.status.OK : (error.code ?? grpc.status.UNKNOWN);
        rpcs.inc({ method: 'Quote', code: grpc.status[code] ?? String(code) });
        rpcDuration.observe({ method: 'Quote' }, (performance.now() - start) / 1_000);
        if (
          error !== null &&
          error.code !== grpc.status.INVALID_ARGUMENT &&
          error.code !== grpc.status.NOT_FOUND
        ) {
          logger.warn('quote failed', { code: grpc.status[code], details: error.details });
        }
        end(error !== null);
        callback(error, value);
      });
    });
  };
  const server = new grpc.Server();
  server.addService(Pricing.service, { Quote: observed });
  const healthImpl = new HealthImplementation({ '': 'SERVING', [PRICING_SERVICE]: 'SERVING' });
  healthImpl.addToServer(server);
  health.onDrain(() => {
    healthImpl.setStatus('', 'NOT_SERVING');
    healthImpl.setStatus(PRICING_SERVICE, 'NOT_SERVING');
  });

  // Admin HTTP server: health, metrics, faults (GET shows { faults, stats } like httpFaults' route).
  const admin = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    let route = 'unmatched';
    metrics.track(req, res, () => route);
    if (path === '/health' && req.method === 'GET') {
      route = '/health';
      return health.serve(res);
    }
    if (path === '/metrics' && req.method === 'GET') {
      route = '/metrics';
      return metrics.serve(res);
    }
    if (path === '/admin/faults') {
      route = '/admin/faults';
      if (req.method === 'GET') return sendJson(res, 200, { faults: faults.faults, stats: faults.stats });
      if (req.method !== 'POST')
        return sendJson(res, 405, { error: 'use GET or POST' }, { allow: 'GET, POST' });
      try {
        faults.set((await readJsonBody(req, ADMIN_BODY_LIMIT)) as GrpcFaultSpec);
      } catch (error) {
        if (error instanceof BodyError) return sendJson(res, error.status, { error: error.message });
        return sendJson(res, 400, { error: (error as Error).message });
      }
      logger.info('faults set', { faults: faults.faults });
      return sendJson(res, 200, { faults: faults.faults });
    }
    sendJson(res, 404, { error: `no route for ${req.method} ${path}` });
  };
  const adminServer = createServer(
    traceRequestListener((req, res) => {
      admin(req, res).catch((error: unknown) => {
        logger.error('admin handler failed', { error });
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      });
    }),
  );

  let port: number;
  let adminPort: number;
  try {
    port = await bindGrpc(server, grpcAddress(o.host, o.port));
    adminPort = await listen(adminServer, o.host, adminPortOption);
  } catch (error) {
    server.forceShutdown();
    await drain(adminServer, 0);
    throw error;
  }
  let registration: Awaited<ReturnType<typeof selfRegister>>;
  try {
    registration = await selfRegister({
      consulAddress: o.consulAddress,
      name: 'pricing',
      id: o.instance,
      host: o.host,
      port,
      check: {
        type: 'grpc',
        target: `${grpcAddress(o.host, port)}/${PRICING_SERVICE}`,
        intervalMs: 2_000,
        timeoutMs: 1_000,
        deregisterCriticalServiceAfterMs: 60_000,
      },
      meta: { adminPort: String(adminPort) },
      logger,
    });
  } catch (error) {
    server.forceShutdown();
    await drain(adminServer, 0);
    throw error;
  }
  logger.info('listening', { host: o.host, port, adminPort, consul: o.consulAddress ?? null });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      logger.info('draining', { timeoutMs: o.drainTimeoutMs });
      health.drain(); // grpc.health.v1 watchers see NOT_SERVING and move away
      await registration.close();
      await faults.close(); // answers hung or delayed calls CANCELLED, so they do not hold the drain
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, o.drainTimeoutMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      server.forceShutdown();
      await drain(adminServer, Math.min(o.drainTimeoutMs, 500));
      logger.info('closed');
    })();
    return closing;
  };
  const kill = (): Promise<void> => {
    closing ??= (async () => {
      server.forceShutdown();
      await faults.close();
      await drain(adminServer, 0);
      logger.warn('killed');
    })();
    return closing;
  };
  return Object.freeze({
    service: 'pricing',
    instance: o.instance,
    port,
    adminPort,
    logger,
    close,
    kill,
    [Symbol.asyncDispose]: close,
  });
}

if (isMainModule(import.meta.url)) {
  void runServiceProcess(() => startPricing(serviceOptionsFromEnv(process.env)));
}
