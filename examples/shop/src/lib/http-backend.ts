// What catalog and cart share: a node:http server with the app pipeline, listening, Consul
// self-registration (HTTP check on /health), and a graceful close.
import { createServer } from 'node:http';
import { type HttpFaultSpec, httpFaults } from '@breakwater/chaos';
import { HealthState } from './health.js';
import { ADMIN_FAULTS_PATH, createHttpApp } from './http-app.js';
import { drain, listen } from './http-lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import { createServiceMetrics } from './metrics.js';
import { selfRegister } from './registration.js';
import type { Router } from './router.js';
import type { RunningService } from './running-service.js';
import { resolveServiceOptions, type ServiceOptions } from './service-options.js';

export interface HttpBackendOptions extends ServiceOptions {
  /** Faults in force from the start (default none); change them with POST /admin/faults. */
  readonly faults?: HttpFaultSpec;
  /** Seed of the fault draws (default: unseeded). */
  readonly faultSeed?: number;
}

export interface HttpBackend extends RunningService {
  readonly logger: Logger;
  /**
   * A crash, for in-process chaos tests: stops listening and destroys every connection at once,
   * with no draining and no deregistration (what SIGKILL does to a process).
   */
  kill(): Promise<void>;
}

export async function startHttpBackend(
  service: string,
  options: HttpBackendOptions,
  routes: (logger: Logger) => Router,
): Promise<HttpBackend> {
  const o = resolveServiceOptions(service, options);
  const logger = createLogger({
    service,
    instance: o.instance,
    level: o.logLevel,
    ...(o.log === undefined ? {} : { sink: o.log }),
  });
  const health = new HealthState(o.instance);
  const metrics = createServiceMetrics({ service, instance: o.instance });
  const faults = httpFaults({
    adminPath: ADMIN_FAULTS_PATH,
    faults: options.faults ?? {},
    ...(options.faultSeed === undefined ? {} : { seed: options.faultSeed }),
  });
  const server = createServer(createHttpApp({ router: routes(logger), health, metrics, logger, faults }));
  // Requests from a keep-alive pool may sit idle between calls; Node's default 5 s is fine, but
  // make headers arrive promptly so a stuck client cannot hold a socket forever.
  server.headersTimeout = 10_000;
  let port: number;
  try {
    port = await listen(server, o.host, o.port);
  } catch (error) {
    await faults.close();
    throw error;
  }
  let registration: Awaited<ReturnType<typeof selfRegister>>;
  try {
    registration = await selfRegister({
      consulAddress: o.consulAddress,
      name: service,
      id: o.instance,
      host: o.host,
      port,
      check: {
        type: 'http',
        url: `http://${o.host}:${port}/health`,
        intervalMs: 2_000,
        timeoutMs: 1_000,
        deregisterCriticalServiceAfterMs: 60_000,
      },
      logger,
    });
  } catch (error) {
    await faults.close();
    await drain(server, 0);
    throw error;
  }
  logger.info('listening', { host: o.host, port, adminPort: port, consul: o.consulAddress ?? null });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      logger.info('draining', { timeoutMs: o.drainTimeoutMs });
      health.drain();
      await registration.close(); // clients stop picking us before the listener goes
      await drain(server, o.drainTimeoutMs);
      await faults.close();
      logger.info('closed');
    })();
    return closing;
  };
  const kill = (): Promise<void> => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await faults.close();
      await closed;
      logger.warn('killed');
    })();
    return closing;
  };
  return Object.freeze({
    service,
    instance: o.instance,
    port,
    adminPort: port,
    logger,
    close,
    kill,
    [Symbol.asyncDispose]: close,
  });
}
