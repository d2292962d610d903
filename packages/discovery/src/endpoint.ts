/** One instance of a service. Frozen; `meta` has a null prototype so registry data never reaches a prototype. */
export interface Endpoint {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly weight?: number;
  readonly zone?: string;
  readonly tags?: readonly string[];
  readonly meta?: Readonly<Record<string, string>>;
}

/** A frozen list of endpoints, sorted by id. */
export type Snapshot = readonly Endpoint[];

export interface EndpointInput {
  id?: string;
  host: string;
  port: number;
  weight?: number;
  zone?: string;
  tags?: readonly string[];
  meta?: Readonly<Record<string, unknown>>;
}

/** Builds a null-prototype copy; every key (even `__proto__` or `constructor`) becomes a plain own property. */
export function nullProtoMeta(source: Readonly<Record<string, unknown>>): Readonly<Record<string, string>> {
  const meta = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (typeof value !== 'string') throw new TypeError(`meta.${key} must be a string`);
    Object.defineProperty(meta, key, { value, enumerable: true, writable: false, configurable: false });
  }
  return Object.freeze(meta);
}

function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Validates and freezes an endpoint; throws TypeError/RangeError naming the bad field. */
export function createEndpoint(input: EndpointInput): Endpoint {
  if (typeof input.host !== 'string' || input.host.length === 0) {
    throw new TypeError(`host must be a non-empty string, got ${JSON.stringify(input.host)}`);
  }
  if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) {
    throw new RangeError(`port must be an integer in 1..65535, got ${input.port}`);
  }
  if (input.weight !== undefined && !(Number.isFinite(input.weight) && input.weight >= 0)) {
    throw new RangeError(`weight must be a finite number >= 0, got ${input.weight}`);
  }
  const endpoint: {
    id: string;
    host: string;
    port: number;
    weight?: number;
    zone?: string;
    tags?: readonly string[];
    meta?: Readonly<Record<string, string>>;
  } = {
    id: input.id ?? formatHostPort(input.host, input.port),
    host: input.host,
    port: input.port,
  };
  if (input.weight !== undefined) endpoint.weight = input.weight;
  if (input.zone !== undefined && input.zone !== '') endpoint.zone = input.zone;
  if (input.tags !== undefined) {
    for (const tag of input.tags) {
      if (typeof tag !== 'string') throw new TypeError('tags must be strings');
    }
    endpoint.tags = Object.freeze([...input.tags]);
  }
  if (input.meta !== undefined) endpoint.meta = nullProtoMeta(input.meta);
  return Object.freeze(endpoint);
}

/** Sorts by id and freezes; duplicate ids keep the first occurrence. */
export function createSnapshot(endpoints: Iterable<Endpoint>): Snapshot {
  const byId = new Map<string, Endpoint>();
  for (const e of endpoints) if (!byId.has(e.id)) byId.set(e.id, e);
  const list = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return Object.freeze(list);
}

function sameStrings(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameMeta(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>> | undefined,
): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!Object.hasOwn(b, k) || a[k] !== b[k]) return false;
  return true;
}

export function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  return (
    a.id === b.id &&
    a.host === b.host &&
    a.port === b.port &&
    a.weight === b.weight &&
    a.zone === b.zone &&
    sameStrings(a.tags, b.tags) &&
    sameMeta(a.meta, b.meta)
  );
}

/** Structural equality of two snapshots (both sorted by id), used to suppress no-change events. */
export function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameEndpoint(a[i]!, b[i]!)) return false;
  return true;
}
