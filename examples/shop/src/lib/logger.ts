// JSON-lines logger: one object per line, with the current trace's ids (from @breakwater/tracing's
// logFields(), i.e. whatever request context is active) so logs join up with traces across services.
import { logFields } from '@breakwater/tracing';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where finished lines go (without the newline). Tests pass an array's push. */
export type LogSink = (line: string) => void;

export interface Logger {
  debug(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  info(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(msg: string, fields?: Readonly<Record<string, unknown>>): void;
  error(msg: string, fields?: Readonly<Record<string, unknown>>): void;
}

export interface LoggerOptions {
  readonly service: string;
  readonly instance: string;
  /** Default: a line on stdout. */
  readonly sink?: LogSink;
  /** Lines below this level are dropped. Default 'info'. */
  readonly level?: LogLevel;
  /** Epoch ms for the `time` field (default Date.now: wall time is what log readers want). */
  readonly now?: () => number;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(RANK, value);
}

export const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

export function createLogger(options: LoggerOptions): Logger {
  const { service, instance } = options;
  const sink = options.sink ?? stdoutSink;
  const min = RANK[options.level ?? 'info'];
  const now = options.now ?? Date.now;
  const write = (level: LogLevel, msg: string, fields?: Readonly<Record<string, unknown>>): void => {
    if (RANK[level] < min) return;
    const record = {
      time: new Date(now()).toISOString(),
      level,
      service,
      instance,
      ...logFields(),
      msg,
      ...fields,
    };
    let line: string;
    try {
      line = JSON.stringify(record, errorReplacer);
    } catch {
      // Circular or otherwise unserialisable fields: keep the line, lose the fields.
      line = JSON.stringify({ time: record.time, level, service, instance, msg, fieldsError: true });
    }
    sink(line);
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}

// Error objects stringify to {} by default; keep what a reader needs.
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}
