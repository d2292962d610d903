import { parseArgs } from 'node:util';

export const USAGE = `usage: npm start -- [options]
  --duration <d>    how long the load and chaos run: 30s, 2m, 1500ms (default 60s)
  --rate <n>        requests per second to the frontend (default 100)
  --port <n>        frontend port (default 8080; a free port if it is busy; 0 = any free port)
  --instances <n>   instances per backend: catalog, cart, pricing (default 3)
  --no-chaos        run the load without the chaos schedule
  --exit            exit after the summary (default: keep the shop and a light load running until Ctrl-C)
  --seed <n>        seed of the load mix and of the chaos targets (default 1)
  --verbose         forward the services' log lines to the terminal
  --help            this text`;

/** A bad command line: the launcher prints the message and the usage, and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface LauncherArgs {
  readonly durationMs: number;
  readonly rate: number;
  readonly port: number;
  readonly instances: number;
  readonly chaos: boolean;
  readonly exit: boolean;
  readonly seed: number;
  readonly verbose: boolean;
  readonly help: boolean;
}

export const DEFAULT_ARGS: LauncherArgs = Object.freeze({
  durationMs: 60_000,
  rate: 100,
  port: 8080,
  instances: 3,
  chaos: true,
  exit: false,
  seed: 1,
  verbose: false,
  help: false,
});

/** `30s`, `1500ms`, `2m`, `1.5m` or a bare number of seconds. */
export function parseDuration(text: string, option = '--duration'): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (m === null)
    throw new UsageError(`${option} must look like 30s, 1500ms or 2m, got ${JSON.stringify(text)}`);
  const n = Number(m[1]);
  const ms = m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
  if (!(ms >= 1)) throw new UsageError(`${option} must be at least 1ms, got ${JSON.stringify(text)}`);
  return Math.round(ms);
}

function integer(option: string, text: string, min: number, max: number): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${option} must be an integer in [${min}, ${max}], got ${JSON.stringify(text)}`);
  }
  return n;
}

function positive(option: string, text: string, max: number): number {
  const n = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(n > 0) || n > max)
    throw new UsageError(`${option} must be a number in (0, ${max}], got ${JSON.stringify(text)}`);
  return n;
}

export function parseLauncherArgs(argv: readonly string[]): LauncherArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        duration: { type: 'string' },
        rate: { type: 'string' },
        port: { type: 'string' },
        instances: { type: 'string' },
        'no-chaos': { type: 'boolean' },
        exit: { type: 'boolean' },
        seed: { type: 'string' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const str = (k: string): string | undefined => values[k] as string | undefined;
  const duration = str('duration');
  const rate = str('rate');
  const port = str('port');
  const instances = str('instances');
  const seed = str('seed');
  return Object.freeze({
    durationMs: duration === undefined ? DEFAULT_ARGS.durationMs : parseDuration(duration),
    rate: rate === undefined ? DEFAULT_ARGS.rate : positive('--rate', rate, 10_000),
    port: port === undefined ? DEFAULT_ARGS.port : integer('--port', port, 0, 65_535),
    instances: instances === undefined ? DEFAULT_ARGS.instances : integer('--instances', instances, 1, 9),
    chaos: values['no-chaos'] !== true,
    exit: values.exit === true,
    seed: seed === undefined ? DEFAULT_ARGS.seed : integer('--seed', seed, 0, 2 ** 32 - 1),
    verbose: values.verbose === true,
    help: values.help === true,
  });
}
