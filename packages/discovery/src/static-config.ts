import {
  createEndpoint,
  createSnapshot,
  type Endpoint,
  type EndpointInput,
  type Snapshot,
} from './endpoint.js';
import { InvalidConfigError } from './errors.js';

/** Per service, endpoints as objects or `host:port` strings. */
export type StaticServices =
  | Readonly<Record<string, readonly (EndpointInput | string)[]>>
  | ReadonlyMap<string, readonly (EndpointInput | string)[]>;

const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Parses one endpoint: `host:port`, `[ipv6]:port`, optionally followed by URL-style options
 * `?weight=2&zone=eu-west-1a&id=a1`.
 */
export function parseEndpointString(text: string): Endpoint {
  const trimmed = text.trim();
  const q = trimmed.indexOf('?');
  const address = q === -1 ? trimmed : trimmed.slice(0, q);
  const options = q === -1 ? '' : trimmed.slice(q + 1);
  let host: string;
  let portText: string;
  if (address.startsWith('[')) {
    const close = address.indexOf(']');
    if (close === -1 || address[close + 1] !== ':') {
      throw new InvalidConfigError(`endpoint "${trimmed}": IPv6 addresses are written [addr]:port`);
    }
    host = address.slice(1, close);
    portText = address.slice(close + 2);
  } else {
    const colon = address.lastIndexOf(':');
    if (colon <= 0 || address.indexOf(':') !== colon) {
      throw new InvalidConfigError(`endpoint "${trimmed}" must be host:port or [ipv6]:port`);
    }
    host = address.slice(0, colon);
    portText = address.slice(colon + 1);
  }
  if (!/^\d{1,5}$/.test(portText)) throw new InvalidConfigError(`endpoint "${trimmed}": bad port`);
  const input: EndpointInput = { host, port: Number(portText) };
  for (const [key, value] of new URLSearchParams(options)) {
    if (key === 'weight') {
      if (!/^\d+(\.\d+)?$/.test(value)) throw new InvalidConfigError(`endpoint "${trimmed}": bad weight`);
      input.weight = Number(value);
    } else if (key === 'zone') input.zone = value;
    else if (key === 'id') input.id = value;
    else throw new InvalidConfigError(`endpoint "${trimmed}": unknown option "${key}"`);
  }
  return wrap(trimmed, () => createEndpoint(input));
}

function wrap<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof InvalidConfigError) throw error;
    throw new InvalidConfigError(`${what}: ${(error as Error).message}`, { cause: error });
  }
}

function checkServiceName(name: string): void {
  if (!SERVICE_NAME.test(name)) throw new InvalidConfigError(`invalid service name "${name}"`);
}

/**
 * Parses `catalog=127.0.0.1:7001,127.0.0.1:7002;pricing=[::1]:80?weight=2&zone=a`.
 * Services are separated by `;`, endpoints by `,`; whitespace around separators is ignored.
 */
export function parseStaticString(text: string): Map<string, Snapshot> {
  const out = new Map<string, Snapshot>();
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq === -1) throw new InvalidConfigError(`"${part.trim()}" must be service=host:port[,host:port…]`);
    const name = part.slice(0, eq).trim();
    checkServiceName(name);
    if (out.has(name)) throw new InvalidConfigError(`service "${name}" is listed twice`);
    const list = part
      .slice(eq + 1)
      .split(',')
      .filter((s) => s.trim() !== '')
      .map(parseEndpointString);
    out.set(name, createSnapshot(list));
  }
  return out;
}

function toEndpoint(service: string, item: unknown, index: number): Endpoint {
  if (typeof item === 'string') return parseEndpointString(item);
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new InvalidConfigError(`services.${service}[${index}] must be an object or "host:port"`);
  }
  const o = item as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!['id', 'host', 'port', 'weight', 'zone', 'tags', 'meta'].includes(key)) {
      throw new InvalidConfigError(`services.${service}[${index}]: unknown field "${key}"`);
    }
  }
  const where = `services.${service}[${index}]`;
  if (o.id !== undefined && typeof o.id !== 'string')
    throw new InvalidConfigError(`${where}.id must be a string`);
  if (o.zone !== undefined && typeof o.zone !== 'string') {
    throw new InvalidConfigError(`${where}.zone must be a string`);
  }
  if (o.tags !== undefined && !Array.isArray(o.tags))
    throw new InvalidConfigError(`${where}.tags must be an array`);
  if (o.meta !== undefined && (typeof o.meta !== 'object' || o.meta === null || Array.isArray(o.meta))) {
    throw new InvalidConfigError(`${where}.meta must be an object`);
  }
  return wrap(where, () => createEndpoint(o as unknown as EndpointInput));
}

/** Validates `{ "services": { "name": [ {host, port, …} | "host:port", … ] } }`. */
export function parseStaticJson(text: string): Map<string, Snapshot> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InvalidConfigError(`invalid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InvalidConfigError('the file must hold an object { "services": { … } }');
  }
  const services = (data as Record<string, unknown>).services;
  if (typeof services !== 'object' || services === null || Array.isArray(services)) {
    throw new InvalidConfigError('"services" must be an object of service name to endpoint list');
  }
  const out = new Map<string, Snapshot>();
  for (const name of Object.keys(services)) {
    checkServiceName(name);
    const list = (services as Record<string, unknown>)[name];
    if (!Array.isArray(list)) throw new InvalidConfigError(`services.${name} must be an array`);
    out.set(name, createSnapshot(list.map((item, i) => toEndpoint(name, item, i))));
  }
  return out;
}

/** Normalises services given in code. */
export function normaliseServices(services: StaticServices): Map<string, Snapshot> {
  const entries: [string, readonly (EndpointInput | string)[]][] =
    services instanceof Map ? [...services] : Object.entries(services as Record<string, []>);
  const out = new Map<string, Snapshot>();
  for (const [name, list] of entries) {
    checkServiceName(name);
    out.set(
      name,
      createSnapshot(list.map((e) => (typeof e === 'string' ? parseEndpointString(e) : createEndpoint(e)))),
    );
  }
  return out;
}
