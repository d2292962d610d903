// Command-line arguments of the gateway CLI.

export interface CliArgs {
  readonly port: number;
  readonly host: string;
  /** Allowlist of services (required for registries that cannot list theirs, e.g. Consul). */
  readonly services: readonly string[] | undefined;
  readonly timeoutMs: number | undefined;
  readonly metrics: boolean;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `usage: gateway [--port 8000] [--host 127.0.0.1] [--services a,b] [--timeout-ms 15000] [--no-metrics]

The registry comes from the environment (registryFromEnv): BREAKWATER_REGISTRY=static|consul|dns|etcd,
BREAKWATER_STATIC_SERVICES="catalog=127.0.0.1:7001,127.0.0.1:7002;orders=127.0.0.1:7101",
CONSUL_HTTP_ADDR, … BREAKWATER_GATEWAY_SERVICES=a,b is the same as --services.`;

function integer(flag: string, value: string | undefined, min: number, max: number): number {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return Number(value);
}

export function parseCliArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): CliArgs {
  let port = 8000;
  let host = '127.0.0.1';
  let services: string[] | undefined;
  let timeoutMs: number | undefined;
  let metrics = true;
  const list = (v: string | undefined, flag: string): string[] => {
    const items = (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (items.length === 0) throw new UsageError(`${flag} must list at least one service`);
    return items;
  };
  if (env.BREAKWATER_GATEWAY_SERVICES !== undefined && env.BREAKWATER_GATEWAY_SERVICES.trim() !== '') {
    services = list(env.BREAKWATER_GATEWAY_SERVICES, 'BREAKWATER_GATEWAY_SERVICES');
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--port':
        port = integer('--port', value(), 0, 65_535);
        break;
      case '--host': {
        const v = value();
        if (v === undefined || v === '') throw new UsageError('--host needs a value');
        host = v;
        break;
      }
      case '--services':
        services = list(value(), '--services');
        break;
      case '--timeout-ms':
        timeoutMs = integer('--timeout-ms', value(), 0, 86_400_000);
        break;
      case '--no-metrics':
        metrics = false;
        break;
      case '--help':
      case '-h':
        throw new UsageError('help');
      default:
        throw new UsageError(`unknown argument ${arg}`);
    }
  }
  return Object.freeze({ port, host, services, timeoutMs, metrics });
}
