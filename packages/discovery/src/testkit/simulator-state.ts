// The catalog model of the Consul simulator: services and checks on one agent/node, a raft-like
// index, TTL expiry and DeregisterCriticalServiceAfter. Pure state: no I/O, time from a clock.
import { parseDuration } from '../duration.js';

export type SimCheckStatus = 'passing' | 'warning' | 'critical';

export interface SimService {
  ID: string;
  Service: string;
  Tags: string[];
  Address: string;
  Meta: Record<string, string>;
  Port: number;
  Weights: { Passing: number; Warning: number };
  EnableTagOverride: boolean;
}

export interface SimCheck {
  CheckID: string;
  Name: string;
  Status: SimCheckStatus;
  Notes: string;
  Output: string;
  ServiceID: string;
  ServiceName: string;
  Type: 'ttl' | 'http' | 'grpc' | 'tcp';
  ttlMs: number | undefined;
  expiresAt: number | undefined;
  deregisterAfterMs: number | undefined;
  criticalSince: number | undefined;
}

/** A 4xx the HTTP layer turns into a response; the message mimics Consul's wording. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const META_KEY = /^[A-Za-z0-9_-]+$/;
/** Consul's floor for DeregisterCriticalServiceAfter. */
export const MIN_DEREGISTER_AFTER_MS = 60_000;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function durationField(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const ms = typeof v === 'string' ? parseDuration(v) : undefined;
  if (ms === undefined) throw new SimHttpError(400, `Invalid ${field}: ${String(v)}`);
  return ms;
}

export class SimulatorState {
  readonly services = new Map<string, SimService>();
  readonly checks = new Map<string, SimCheck>();
  /** Monotonic internal index; what clients see is index - rewind (see rewind()). */
  #index: number;
  #rewind = 0;
  #servicesTableIndex: number;
  readonly #serviceIndex = new Map<string, number>();
  readonly #now: () => number;
  readonly onChange: () => void;

  constructor(now: () => number, startIndex: number, onChange: () => void) {
    this.#now = now;
    this.#index = startIndex;
    this.#servicesTableIndex = startIndex;
    this.onChange = onChange;
  }

  /** The index clients see now (the global one). */
  get index(): number {
    return this.#report(this.#index);
  }

  #report(i: number): number {
    return Math.max(1, i - this.#rewind);
  }

  serviceIndex(name: string): number {
    return this.#report(this.#serviceIndex.get(name) ?? this.#servicesTableIndex);
  }

  servicesTableIndex(): number {
    return this.#report(this.#servicesTableIndex);
  }

  /** Makes every reported index go backwards by `by` (as after a snapshot restore). */
  rewind(by: number): void {
    this.#rewind += Math.max(1, Math.floor(by));
    this.onChange();
  }

  #bump(serviceName: string, table: boolean): void {
    this.#index++;
    this.#serviceIndex.set(serviceName, this.#index);
    if (table) this.#servicesTableIndex = this.#index;
  }

  register(body: unknown): void {
    if (!isObject(body)) throw new SimHttpError(400, 'Request decode failed');
    const name = body.Name;
    if (typeof name !== 'string' || name === '') throw new SimHttpError(400, 'Missing service name');
    const id = typeof body.ID === 'string' && body.ID !== '' ? body.ID : name;
    const port = body.Port ?? 0;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
      throw new SimHttpError(400, 'Invalid service port');
    }
    const meta: Record<string, string> = Object.create(null);
    if (body.Meta !== undefined && body.Meta !== null) {
      if (!isObject(body.Meta)) throw new SimHttpError(400, 'Invalid Service Meta');
      const keys = Object.keys(body.Meta);
      if (keys.length > 64) throw new SimHttpError(400, 'Invalid Service Meta: too many keys');
      for (const k of keys) {
        const v = body.Meta[k];
        if (
          !META_KEY.test(k) ||
          k.length > 128 ||
          k.startsWith('consul-') ||
          typeof v !== 'string' ||
          v.length > 512
        ) {
          throw new SimHttpError(400, `Invalid Service Meta: Couldn't load metadata pair ('${k}')`);
        }
        Object.defineProperty(meta, k, { value: v, enumerable: true, writable: true });
      }
    }
    const w = isObject(body.Weights) ? body.Weights : {};
    const tags = Array.isArray(body.Tags) ? body.Tags.filter((t): t is string => typeof t === 'string') : [];
    const service: SimService = {
      ID: id,
      Service: name,
      Tags: tags,
      Address: typeof body.Address === 'string' ? body.Address : '',
      Meta: meta,
      Port: port,
      Weights: {
        Passing: typeof w.Passing === 'number' ? w.Passing : 1,
        Warning: typeof w.Warning === 'number' ? w.Warning : 1,
      },
      EnableTagOverride: body.EnableTagOverride === true,
    };
    const defs: Json[] = [];
    if (isObject(body.Check)) defs.push(body.Check);
    if (Array.isArray(body.Checks)) for (const c of body.Checks) if (isObject(c)) defs.push(c);
    const checks = defs.map((c, i) => this.#check(c, service, defs.length === 1 ? undefined : i + 1));
    // Re-registering replaces the instance and its checks.
    const previous = this.services.get(id);
    if (previous !== undefined) this.#removeService(previous, false);
    this.services.set(id, service);
    for (const c of checks) this.checks.set(c.CheckID, c);
    this.#bump(name, true);
    this.onChange();
  }

  #check(def: Json, service: SimService, n: number | undefined): SimCheck {
    const ttlMs = durationField(def.TTL, 'TTL');
    const kinds = [
      ttlMs !== undefined,
      typeof def.HTTP === 'string',
      typeof def.GRPC === 'string',
      typeof def.TCP === 'string',
    ];
    if (kinds.filter(Boolean).length !== 1) {
      throw new SimHttpError(400, 'Invalid check: exactly one of TTL, HTTP, GRPC or TCP must be set');
    }
    const type =
      ttlMs !== undefined
        ? 'ttl'
        : typeof def.HTTP === 'string'
          ? 'http'
          : typeof def.GRPC === 'string'
            ? 'grpc'
            : 'tcp';
    if (type !== 'ttl' && durationField(def.Interval, 'Interval') === undefined) {
      throw new SimHttpError(400, 'Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or GRPC checks');
    }
    const status = def.Status === undefined ? 'critical' : def.Status;
    if (status !== 'passing' && status !== 'warning' && status !== 'critical') {
      throw new SimHttpError(400, `Invalid check status: ${String(status)}`);
    }
    const after = durationField(def.DeregisterCriticalServiceAfter, 'DeregisterCriticalServiceAfter');
    const id =
      typeof def.CheckID === 'string' && def.CheckID !== ''
        ? def.CheckID
        : n === undefined
          ? `service:${service.ID}`
          : `service:${service.ID}:${n}`;
    const now = this.#now();
    return {
      CheckID: id,
      Name: typeof def.Name === 'string' && def.Name !== '' ? def.Name : `Service '${service.Service}' check`,
      Status: status,
      Notes: typeof def.Notes === 'string' ? def.Notes : '',
      Output: '',
      ServiceID: service.ID,
      ServiceName: service.Service,
      Type: type,
      ttlMs,
      expiresAt: ttlMs === undefined ? undefined : now + ttlMs,
      deregisterAfterMs: after === undefined ? undefined : Math.max(MIN_DEREGISTER_AFTER_MS, after),
      criticalSince: status === 'critical' ? now : undefined,
    };
  }

  deregister(id: string): void {
    const s = this.services.get(id);
    if (s === undefined)
      throw new SimHttpError(
        404,
        `Unknown service ID "${id}". Ensure that the service ID is passed, not the service name.`,
      );
    this.#removeService(s, true);
    this.onChange();
  }

  #removeService(s: SimService, bump: boolean): void {
    this.services.delete(s.ID);
    for (const [id, c] of this.checks) if (c.ServiceID === s.ID) this.checks.delete(id);
    if (bump) this.#bump(s.Service, true);
  }

  /** PUT /v1/agent/check/update|pass|warn|fail: only TTL checks accept it; resets the TTL. */
  updateTtl(checkId: string, status: unknown, output: string): void {
    const c = this.checks.get(checkId);
    if (c === undefined) throw new SimHttpError(404, `Unknown check ID "${checkId}"`);
    if (c.Type !== 'ttl') throw new SimHttpError(500, `CheckID "${checkId}" does not have associated TTL`);
    if (status !== 'passing' && status !== 'warning' && status !== 'critical') {
      throw new SimHttpError(400, 'Invalid check status');
    }
    c.expiresAt = this.#now() + c.ttlMs!;
    this.#setStatus(c, status, output);
  }

  /** For checks the simulator does not run (HTTP, gRPC, TCP): tests decide their status. */
  setStatus(checkId: string, status: SimCheckStatus, output = ''): void {
    const c = this.checks.get(checkId);
    if (c === undefined) throw new Error(`unknown check ${checkId}`);
    this.#setStatus(c, status, output);
  }

  #setStatus(c: SimCheck, status: SimCheckStatus, output: string): void {
    if (status === 'critical') c.criticalSince ??= this.#now();
    else c.criticalSince = undefined;
    // Like the agent, only a change of status or output reaches the catalog (and bumps the index).
    if (c.Status === status && c.Output === output) return;
    c.Status = status;
    c.Output = output;
    this.#bump(c.ServiceName, false);
    this.onChange();
  }

  /** Expires TTL checks and reaps long-critical services; returns the next deadline, if any. */
  evaluate(): number | undefined {
    const now = this.#now();
    let next: number | undefined;
    for (const c of [...this.checks.values()]) {
      if (c.expiresAt !== undefined && c.expiresAt <= now && c.Status !== 'critical') {
        this.#setStatus(c, 'critical', `TTL expired (last output before timeout follows): ${c.Output}`);
      }
      if (c.deregisterAfterMs !== undefined && c.criticalSince !== undefined) {
        const at = c.criticalSince + c.deregisterAfterMs;
        const s = this.services.get(c.ServiceID);
        if (at <= now && s !== undefined) {
          this.#removeService(s, true);
          this.onChange();
          continue;
        }
        next = Math.min(next ?? at, at);
      }
      if (c.expiresAt !== undefined && c.Status !== 'critical')
        next = Math.min(next ?? c.expiresAt, c.expiresAt);
    }
    return next;
  }
}
