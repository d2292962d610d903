import type { ConsulClient } from './consul-client.js';
import { formatDuration } from './duration.js';
import { isConsulRequestError, RegistryClosedError } from './errors.js';
import { type Logger, silentLogger } from './logger.js';

export type CheckStatus = 'passing' | 'warning' | 'critical';

/** A TTL check the service itself keeps alive: the handle heartbeats the current status every heartbeatMs. */
export interface TtlCheck {
  type: 'ttl';
  ttlMs: number;
  /** Default ttlMs / 3, so two beats can be lost before the check expires. */
  heartbeatMs?: number;
  /** Status reported right after registration. Default `passing` (Consul starts TTL checks `critical`). */
  initialStatus?: CheckStatus;
  deregisterCriticalServiceAfterMs?: number;
  name?: string;
  notes?: string;
}

/** The agent probes an HTTP URL every intervalMs. */
export interface HttpCheck {
  type: 'http';
  url: string;
  intervalMs: number;
  timeoutMs?: number;
  method?: string;
  tlsSkipVerify?: boolean;
  deregisterCriticalServiceAfterMs?: number;
  name?: string;
  notes?: string;
}

/** The agent calls grpc.health.v1.Health/Check on `target` (`host:port` or `host:port/service`). */
export interface GrpcCheck {
  type: 'grpc';
  target: string;
  intervalMs: number;
  timeoutMs?: number;
  useTls?: boolean;
  deregisterCriticalServiceAfterMs?: number;
  name?: string;
  notes?: string;
}

export type CheckDefinition = TtlCheck | HttpCheck | GrpcCheck;

export interface ServiceRegistrationOptions {
  name: string;
  /** Default: the name (Consul's default), which only one instance per agent may use. */
  id?: string;
  /** Empty means: use the node's address (Consul's rule). */
  address?: string;
  port: number;
  tags?: readonly string[];
  meta?: Readonly<Record<string, string>>;
  weights?: { passing: number; warning: number };
  check?: CheckDefinition;
  logger?: Logger;
  /** Called when a heartbeat fails (the handle keeps trying). */
  onError?: (error: Error) => void;
}

const META_KEY = /^[A-Za-z0-9_-]{1,128}$/;

function checkPositive(name: string, v: number | undefined): void {
  if (v !== undefined && !(Number.isFinite(v) && v > 0)) {
    throw new RangeError(`${name} must be a positive number, got ${v}`);
  }
}

function validate(o: ServiceRegistrationOptions): void {
  if (typeof o.name !== 'string' || o.name === '') throw new TypeError('name must be a non-empty string');
  if (o.id !== undefined && (typeof o.id !== 'string' || o.id === '')) {
    throw new TypeError('id must be a non-empty string');
  }
  if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) {
    throw new RangeError(`port must be an integer in 1..65535, got ${o.port}`);
  }
  for (const key of Object.keys(o.meta ?? {})) {
    if (!META_KEY.test(key)) throw new TypeError(`meta key "${key}" must match ${META_KEY}`);
  }
  const c = o.check;
  if (c === undefined) return;
  checkPositive('check.deregisterCriticalServiceAfterMs', c.deregisterCriticalServiceAfterMs);
  if (c.type === 'ttl') {
    checkPositive('check.ttlMs', c.ttlMs);
    if (c.ttlMs === undefined) throw new RangeError('check.ttlMs must be a positive number');
    checkPositive('check.heartbeatMs', c.heartbeatMs);
    if (c.heartbeatMs !== undefined && c.heartbeatMs >= c.ttlMs) {
      throw new RangeError(`check.heartbeatMs must be below check.ttlMs, got ${c.heartbeatMs}`);
    }
  } else if (c.type === 'http' || c.type === 'grpc') {
    if (c.intervalMs === undefined) throw new RangeError('check.intervalMs must be a positive number');
    checkPositive('check.intervalMs', c.intervalMs);
    checkPositive('check.timeoutMs', c.timeoutMs);
  } else {
    throw new TypeError(`check.type must be ttl, http or grpc, got ${(c as { type: unknown }).type}`);
  }
}

/** The JSON body of PUT /v1/agent/service/register. */
export function registrationBody(o: ServiceRegistrationOptions, checkId: string): Record<string, unknown> {
  const body: Record<string, unknown> = { Name: o.name, ID: o.id ?? o.name, Port: o.port };
  if (o.address !== undefined) body.Address = o.address;
  if (o.tags !== undefined) body.Tags = [...o.tags];
  if (o.meta !== undefined) body.Meta = { ...o.meta };
  if (o.weights !== undefined) body.Weights = { Passing: o.weights.passing, Warning: o.weights.warning };
  const c = o.check;
  if (c !== undefined) {
    const check: Record<string, unknown> = { CheckID: checkId, Name: c.name ?? `Service '${o.name}' check` };
    if (c.notes !== undefined) check.Notes = c.notes;
    if (c.deregisterCriticalServiceAfterMs !== undefined) {
      check.DeregisterCriticalServiceAfter = formatDuration(c.deregisterCriticalServiceAfterMs);
    }
    if (c.type === 'ttl') check.TTL = formatDuration(c.ttlMs);
    else {
      check.Interval = formatDuration(c.intervalMs);
      if (c.timeoutMs !== undefined) check.Timeout = formatDuration(c.timeoutMs);
      if (c.type === 'http') {
        check.HTTP = c.url;
        if (c.method !== undefined) check.Method = c.method;
        if (c.tlsSkipVerify !== undefined) check.TLSSkipVerify = c.tlsSkipVerify;
      } else {
        check.GRPC = c.target;
        if (c.useTls !== undefined) check.GRPCUseTLS = c.useTls;
      }
    }
    body.Check = check;
  }
  return body;
}

/**
 * A registered service instance. For TTL checks it heartbeats the current status every heartbeatMs
 * (re-registering if the agent forgot the service, e.g. after an agent restart); `close()` deregisters.
 */
export class ServiceRegistration implements AsyncDisposable {
  readonly id: string;
  readonly checkId: string | undefined;
  readonly #client: ConsulClient;
  readonly #options: ServiceRegistrationOptions;
  readonly #logger: Logger;
  readonly #abort = new AbortController();
  #status: CheckStatus;
  #output = '';
  #timer: NodeJS.Timeout | undefined;
  #beat: Promise<void> | undefined;
  #closed: Promise<void> | undefined;
  #heartbeats = 0;

  private constructor(client: ConsulClient, options: ServiceRegistrationOptions) {
    this.#client = client;
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.id = options.id ?? options.name;
    this.checkId = options.check === undefined ? undefined : `service:${this.id}`;
    this.#status = options.check?.type === 'ttl' ? (options.check.initialStatus ?? 'passing') : 'passing';
  }

  /** Registers with the local agent; for TTL checks reports the initial status and starts heartbeating. */
  static async register(
    client: ConsulClient,
    options: ServiceRegistrationOptions,
  ): Promise<ServiceRegistration> {
    validate(options);
    const reg = new ServiceRegistration(client, { ...options });
    await reg.#register();
    if (options.check?.type === 'ttl') {
      await reg.#update();
      reg.#schedule();
    }
    return reg;
  }

  /** Status the TTL check reports from now on (sent at once and on every heartbeat). */
  get status(): CheckStatus {
    return this.#status;
  }

  /** Heartbeats sent so far (for monitoring and tests). */
  get heartbeats(): number {
    return this.#heartbeats;
  }

  pass(output = ''): Promise<void> {
    return this.setStatus('passing', output);
  }

  warn(output = ''): Promise<void> {
    return this.setStatus('warning', output);
  }

  fail(output = ''): Promise<void> {
    return this.setStatus('critical', output);
  }

  /** Marks the TTL check; rejects for non-TTL checks, whose status the agent decides. */
  async setStatus(status: CheckStatus, output = ''): Promise<void> {
    if (this.#closed !== undefined) throw new RegistryClosedError('registration is closed');
    if (this.#options.check?.type !== 'ttl') throw new TypeError('only TTL checks can be marked');
    this.#status = status;
    this.#output = output;
    await this.#update();
  }

  /** Stops heartbeating and deregisters; idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #close(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort.abort();
    await this.#beat?.catch(() => {});
    try {
      await this.#client.request({
        method: 'PUT',
        path: `/v1/agent/service/deregister/${encodeURIComponent(this.id)}`,
      });
    } catch (error) {
      // Already gone (agent restarted, or reaped by DeregisterCriticalServiceAfter): nothing to undo.
      if (!(isConsulRequestError(error) && error.status === 404)) throw error;
    }
  }

  async #register(): Promise<void> {
    await this.#client.request({
      method: 'PUT',
      path: '/v1/agent/service/register',
      body: registrationBody(this.#options, this.checkId ?? ''),
      signal: this.#abort.signal,
    });
  }

  async #update(): Promise<void> {
    await this.#client.request({
      method: 'PUT',
      path: `/v1/agent/check/update/${encodeURIComponent(this.checkId!)}`,
      body: { Status: this.#status, Output: this.#output },
      signal: this.#abort.signal,
    });
  }

  #schedule(): void {
    const c = this.#options.check as TtlCheck;
    const every = c.heartbeatMs ?? c.ttlMs / 3;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#beat = this.#heartbeat().finally(() => {
        this.#beat = undefined;
        if (this.#closed === undefined) this.#schedule();
      });
    }, every);
    // A heartbeat alone must not keep a process alive.
    this.#timer.unref();
  }

  async #heartbeat(): Promise<void> {
    let failure: unknown;
    try {
      await this.#update();
      this.#heartbeats++;
      return;
    } catch (error) {
      failure = error;
    }
    if (this.#abort.signal.aborted) return;
    if (isConsulRequestError(failure) && failure.status === 404) {
      // The agent no longer knows the check (restarted without state, or reaped): register again.
      try {
        this.#logger.warn('check unknown to the agent; registering again', { service: this.id });
        await this.#register();
        await this.#update();
        this.#heartbeats++;
        return;
      } catch (again) {
        failure = again;
      }
    }
    if (this.#abort.signal.aborted) return;
    const e = failure instanceof Error ? failure : new Error(String(failure));
    this.#logger.warn('heartbeat failed', { service: this.id, error: e.message });
    this.#options.onError?.(e);
  }
}

/** Registers a service instance with the agent `client` talks to; close the handle to deregister. */
export function registerService(
  client: ConsulClient,
  options: ServiceRegistrationOptions,
): Promise<ServiceRegistration> {
  return ServiceRegistration.register(client, options);
}
