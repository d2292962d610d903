import { parseArgs } from 'node:util';
import { type ClientKind, DEFAULT_RATE, type ScenarioResult } from './run-scenario.js';
import { SCENARIOS } from './scenarios.js';

export const USAGE = `usage: npm run chaos -- --scenario <name> [--duration 30s] [--json out.json] [--client naive|breakwater] [--rate N]
                     [--dashboard [port]] [--linger 30s]
scenarios: ${[...SCENARIOS.keys()].join(', ')}`;

/** How long the dashboard stays up after the run by default. */
export const DEFAULT_LINGER_MS = 30_000;

export class UsageError extends Error {}

export interface CliArgs {
  readonly scenario: string;
  readonly durationMs: number;
  readonly client: ClientKind;
  readonly rate: number;
  readonly json: string | undefined;
  /** Serve the live dashboard on 127.0.0.1:<port> (0: any free port); undefined: no dashboard. */
  readonly dashboard: number | undefined;
  /** With a dashboard: how long it stays up after the run, ms. */
  readonly lingerMs: number;
}

/** `30s`, `1500ms`, `2m` or a bare number of seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (m === null)
    throw new UsageError(`--duration must look like 30s, 1500ms or 2m, got ${JSON.stringify(text)}`);
  const n = Number(m[1]);
  const ms = m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
  if (!(ms > 0)) throw new UsageError(`--duration must be positive, got ${JSON.stringify(text)}`);
  return ms;
}

/** `--dashboard` takes an optional port, which parseArgs cannot express: take it out first. */
function takeDashboard(argv: readonly string[]): { rest: string[]; port: number | undefined } {
  const rest: string[] = [];
  let port: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    let value: string | undefined;
    if (a === '--dashboard') {
      const next = argv[i + 1];
      if (next !== undefined && /^\d+$/.test(next)) {
        value = next;
        i++;
      } else value = '0';
    } else if (a.startsWith('--dashboard=')) value = a.slice('--dashboard='.length);
    else {
      rest.push(a);
      continue;
    }
    const n = Number(value);
    if (!/^\d+$/.test(value) || n > 65_535) {
      throw new UsageError(`--dashboard takes a port from 0 to 65535, got ${JSON.stringify(value)}`);
    }
    port = n;
  }
  return { rest, port };
}

export function parseCliArgs(argv: readonly string[]): CliArgs {
  let values: Record<string, string | undefined>;
  const { rest, port } = takeDashboard(argv);
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        scenario: { type: 'string' },
        duration: { type: 'string' },
        json: { type: 'string' },
        client: { type: 'string' },
        rate: { type: 'string' },
        linger: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const scenario = values.scenario;
  if (scenario === undefined) throw new UsageError('--scenario is required');
  if (!SCENARIOS.has(scenario)) throw new UsageError(`unknown scenario ${JSON.stringify(scenario)}`);
  const client = values.client ?? 'breakwater';
  if (client !== 'breakwater' && client !== 'naive') {
    throw new UsageError(`--client must be naive or breakwater, got ${JSON.stringify(client)}`);
  }
  const rate = values.rate === undefined ? DEFAULT_RATE : Number(values.rate);
  if (!Number.isFinite(rate) || rate <= 0)
    throw new UsageError(`--rate must be a positive number, got ${values.rate}`);
  if (values.linger !== undefined && port === undefined) throw new UsageError('--linger needs --dashboard');
  return {
    scenario,
    client,
    rate,
    durationMs: parseDuration(values.duration ?? '30s'),
    json: values.json,
    dashboard: port,
    lingerMs:
      values.linger === undefined
        ? DEFAULT_LINGER_MS
        : values.linger === '0'
          ? 0
          : parseDuration(values.linger),
  };
}

export function summary(r: ScenarioResult): string {
  const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
  return [
    `${r.scenario} with the ${r.client} client: ${r.requests} requests at ${r.rate}/s over ${r.durationMs / 1000} s`,
    `  success      ${pct(r.successRate)} (${r.errors} failed)`,
    `  latency      p50 ${r.p50Ms.toFixed(1)} ms  p99 ${r.p99Ms.toFixed(1)} ms  p99.9 ${r.p999Ms.toFixed(1)} ms`,
    `  attempts     ${r.attemptsPerRequest.toFixed(3)} per request`,
    `  breakers     ${r.breakerTransitions} transitions, ${r.ejections} ejections, ${r.discoveryErrors} discovery errors`,
  ].join('\n');
}
