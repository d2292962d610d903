import { createEndpoint, type Endpoint } from './endpoint.js';
import { InvalidConfigError } from './errors.js';

/** The JSON value stored under `<prefix><service>/<id>`. */
export interface EtcdInstanceValue {
  host: string;
  port: number;
  weight?: number;
  zone?: string;
  tags?: readonly string[];
  meta?: Readonly<Record<string, string>>;
}

/** The key of an instance: `<prefix><service>/<id>`. */
export function etcdInstanceKey(prefix: string, service: string, id: string): string {
  return `${prefix}${service}/${id}`;
}

/** Serialises an instance value (what self-registration writes). */
export function formatEtcdInstance(value: EtcdInstanceValue): string {
  return JSON.stringify(value);
}

/**
 * Validates one stored value into an endpoint whose id is the key's last part. Unknown fields are
 * ignored (other writers may add their own); `meta` is copied into a null-prototype object, so a
 * `__proto__` key stays plain data. Throws InvalidConfigError naming the key.
 */
export function parseEtcdInstance(key: string, id: string, text: string): Endpoint {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InvalidConfigError(`etcd key ${key}: invalid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InvalidConfigError(`etcd key ${key}: the value must be a JSON object { host, port, … }`);
  }
  const o = data as Record<string, unknown>;
  const bad = (what: string) => new InvalidConfigError(`etcd key ${key}: ${what}`);
  if (typeof o.host !== 'string') throw bad('host must be a string');
  if (typeof o.port !== 'number') throw bad('port must be a number');
  if (o.weight !== undefined && typeof o.weight !== 'number') throw bad('weight must be a number');
  if (o.zone !== undefined && typeof o.zone !== 'string') throw bad('zone must be a string');
  if (o.tags !== undefined && !Array.isArray(o.tags)) throw bad('tags must be an array of strings');
  if (o.meta !== undefined && (typeof o.meta !== 'object' || o.meta === null || Array.isArray(o.meta))) {
    throw bad('meta must be an object of strings');
  }
  try {
    return createEndpoint({
      id,
      host: o.host,
      port: o.port,
      ...(o.weight === undefined ? {} : { weight: o.weight as number }),
      ...(o.zone === undefined ? {} : { zone: o.zone as string }),
      ...(o.tags === undefined ? {} : { tags: o.tags as string[] }),
      ...(o.meta === undefined ? {} : { meta: o.meta as Record<string, unknown> }),
    });
  } catch (error) {
    throw new InvalidConfigError(`etcd key ${key}: ${(error as Error).message}`, { cause: error });
  }
}
