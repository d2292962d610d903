// The gateway as a program: registry from the environment, JSON-lines logs, /metrics when
// prom-client is installed, clean shutdown on SIGINT/SIGTERM.
import type { ServicePolicy } from '@breakwater/client';
import { registryFromEnv } from '@breakwater/discovery';
import { type CliArgs, parseCliArgs, USAGE, UsageError } from './cli-args.js';
import { createGateway } from './gateway.js';
import type { GatewayLogger, MetricsRegistry } from './gateway-options.js';

const logger: GatewayLogger = {
  info: (msg, fields) => process.stdout.write(`${JSON.stringify({ level: 'info', msg, ...fields })}\n`),
  warn: (msg, fields) => process.stderr.write(`${JSON.stringify({ level: 'warn', msg, ...fields })}\n`),
};

/** prom-client is optional: without it there is no /metrics. */
async function loadMetrics(): Promise<MetricsRegistry | undefined> {
  try {
    const prom = await import('prom-client');
    const registry = new prom.Registry();
    prom.collectDefaultMetrics({ register: registry });
    return registry;
  } catch {
    logger.info('prom-client not installed: /metrics disabled');
    return undefined;
  }
}

async function main(): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCliArgs(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(err.message === 'help' ? `${USAGE}\n` : `gateway: ${err.message}\n${USAGE}\n`);
    return err.message === 'help' ? 0 : 2;
  }
  const registry = registryFromEnv(process.env, { logger: { debug() {}, warn: logger.warn } });
  const metrics = args.metrics ? await loadMetrics() : undefined;
  const services =
    args.services === undefined
      ? undefined
      : Object.fromEntries(args.services.map((s): [string, ServicePolicy] => [s, {}]));
  const gateway = createGateway({
    registry,
    logger,
    ...(services === undefined ? {} : { services }),
    ...(args.timeoutMs === undefined ? {} : { timeoutMs: args.timeoutMs }),
    ...(metrics === undefined ? {} : { metrics: { registry: metrics } }),
  });
  const address = await gateway.listen(args.port, args.host);
  logger.info('gateway listening', { address: `http://${args.host}:${address.port}`, port: address.port });

  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      logger.info('shutting down', { signal });
      gateway
        .close()
        .then(() => registry.close())
        .then(
          () => resolve(0),
          (error: unknown) => {
            logger.warn('shutdown failed', { error: String(error) });
            resolve(1);
          },
        );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

process.exitCode = await main();
