import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import {
  ConsulRequestError,
  InvalidConfigError,
  RegistryClosedError,
  RegistryUnavailableError,
} from './errors.js';
import { type Logger, silentLogger } from './logger.js';

export interface ConsulTlsOptions {
  /** PEM CA bundle used to verify the agent's certificate. */
  ca?: string | Buffer;
  /** PEM client certificate and key, for agents that verify incoming connections. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Default true; false only for tests (`CONSUL_HTTP_SSL_VERIFY=false`). */
  rejectUnauthorized?: boolean;
  /** SNI / verification name when the address is an IP (`CONSUL_TLS_SERVER_NAME`). */
  servername?: string;
}

export interface ConsulClientOptions {
  /** `http://host:port`, `https://host:port` or `host:port`. Default `http://127.0.0.1:8500`. */
  address?: string;
  /** ACL token, sent only as the `X-Consul-Token` header. */
  token?: string;
  tls?: ConsulTlsOptions;
  logger?: Logger;
  /** TCP/TLS connect timeout. Default 10,000 ms. */
  connectTimeoutMs?: number;
  /** Timeout of non-blocking requests (registration, checks, one-shot reads). Default 10,000 ms. */
  requestTimeoutMs?: number;
}

export interface ConsulResponse {
  readonly status: number;
  /** `X-Consul-Index` as a number, or undefined when absent or malformed. */
  readonly index: number | undefined;
  readonly body: unknown;
}

export interface ConsulRequest {
  method: 'GET' | 'PUT';
  path: string;
  query?: URLSearchParams;
  body?: unknown;
  signal?: AbortSignal;
  timeoutMs?: number;
}

const DEFAULTS = { address: 'http://127.0.0.1:8500', connectTimeoutMs: 10_000, requestTimeoutMs: 10_000 };

function positive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0))
    throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}

/** Normalises an agent address to an origin (`http://127.0.0.1:8500`). */
export function normaliseAddress(address: string, forceTls = false): URL {
  let text = address.trim();
  if (text.startsWith('unix://'))
    throw new InvalidConfigError('unix socket Consul addresses are not supported');
  if (!/^https?:\/\//i.test(text)) text = `${forceTls ? 'https' : 'http'}://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw new InvalidConfigError(`invalid Consul address "${address}"`, { cause: error });
  }
  if (forceTls && url.protocol === 'http:') url = new URL(text.replace(/^http:/i, 'https:'));
  if (url.username !== '' || url.password !== '') {
    throw new InvalidConfigError('the Consul address must not carry credentials; use token');
  }
  if (url.pathname !== '/' || url.search !== '')
    throw new InvalidConfigError('the Consul address must be an origin');
  return url;
}

/**
 * Client options from Consul's usual environment variables: CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN
 * (or CONSUL_HTTP_TOKEN_FILE), CONSUL_HTTP_SSL, CONSUL_HTTP_SSL_VERIFY, CONSUL_CACERT,
 * CONSUL_CLIENT_CERT, CONSUL_CLIENT_KEY, CONSUL_TLS_SERVER_NAME. Files are read synchronously, once.
 */
export function consulOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): ConsulClientOptions {
  const options: ConsulClientOptions = {};
  const ssl = env.CONSUL_HTTP_SSL;
  const forceTls = ssl !== undefined && /^(1|true)$/i.test(ssl);
  if (env.CONSUL_HTTP_ADDR) options.address = normaliseAddress(env.CONSUL_HTTP_ADDR, forceTls).origin;
  else if (forceTls) options.address = 'https://127.0.0.1:8501';
  const read = (name: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new InvalidConfigError(`${name}: cannot read ${path}`, { cause: error });
    }
  };
  if (env.CONSUL_HTTP_TOKEN) options.token = env.CONSUL_HTTP_TOKEN;
  else if (env.CONSUL_HTTP_TOKEN_FILE) {
    options.token = read('CONSUL_HTTP_TOKEN_FILE', env.CONSUL_HTTP_TOKEN_FILE).toString('utf8').trim();
  }
  const tls: ConsulTlsOptions = {};
  if (env.CONSUL_CACERT) tls.ca = read('CONSUL_CACERT', env.CONSUL_CACERT);
  if (env.CONSUL_CLIENT_CERT) tls.cert = read('CONSUL_CLIENT_CERT', env.CONSUL_CLIENT_CERT);
  if (env.CONSUL_CLIENT_KEY) tls.key = read('CONSUL_CLIENT_KEY', env.CONSUL_CLIENT_KEY);
  if (env.CONSUL_TLS_SERVER_NAME) tls.servername = env.CONSUL_TLS_SERVER_NAME;
  if (env.CONSUL_HTTP_SSL_VERIFY !== undefined && /^(0|false)$/i.test(env.CONSUL_HTTP_SSL_VERIFY)) {
    tls.rejectUnauthorized = false;
  }
  if (Object.keys(tls).length > 0) options.tls = tls;
  return options;
}

/**
 * A minimal Consul HTTP API client on undici: one connection pool, AbortSignal cancellation,
 * the token only in a header, and `close()` that aborts everything in flight and destroys the sockets.
 */
export class ConsulClient implements AsyncDisposable {
  readonly origin: string;
  readonly #token: string | undefined;
  readonly #agent: Agent;
  readonly #logger: Logger;
  readonly #requestTimeoutMs: number;
  readonly #inflight = new Set<AbortController>();
  #closed = false;

  constructor(options: ConsulClientOptions = {}) {
    const o = { ...DEFAULTS, ...options };
    if (o.token !== undefined && (typeof o.token !== 'string' || /[\r\n]/.test(o.token))) {
      throw new TypeError('token must be a string without line breaks');
    }
    const url = normaliseAddress(o.address);
    this.origin = url.origin;
    this.#token = o.token === '' ? undefined : o.token;
    this.#logger = o.logger ?? silentLogger;
    this.#requestTimeoutMs = positive('requestTimeoutMs', o.requestTimeoutMs);
    const tls = o.tls ?? {};
    if ((tls.cert === undefined) !== (tls.key === undefined)) {
      throw new TypeError('tls.cert and tls.key must be given together');
    }
    this.#agent = new Agent({
      connectTimeout: positive('connectTimeoutMs', o.connectTimeoutMs),
      connect: url.protocol === 'https:' ? { ...tls } : {},
      // Blocking queries hold their connection for minutes; keep idle ones briefly only.
      keepAliveTimeout: 4_000,
    });
  }

  /** A client configured from CONSUL_* environment variables, with explicit options taking precedence. */
  static fromEnv(
    overrides: ConsulClientOptions = {},
    env: Readonly<Record<string, string | undefined>> = process.env,
  ): ConsulClient {
    return new ConsulClient({ ...consulOptionsFromEnv(env), ...overrides });
  }

  get closed(): boolean {
    return this.#closed;
  }

  async request(req: ConsulRequest): Promise<ConsulResponse> {
    if (this.#closed) throw new RegistryClosedError('Consul client is closed');
    req.signal?.throwIfAborted();
    const path = req.query !== undefined && req.query.size > 0 ? `${req.path}?${req.query}` : req.path;
    const controller = new AbortController();
    const onAbort = () => controller.abort(req.signal?.reason);
    req.signal?.addEventListener('abort', onAbort, { once: true });
    this.#inflight.add(controller);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#token !== undefined) headers['x-consul-token'] = this.#token;
    let payload: string | undefined;
    if (req.body !== undefined) {
      payload = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }
    const timeoutMs = req.timeoutMs ?? this.#requestTimeoutMs;
    this.#logger.debug('consul request', { method: req.method, path });
    try {
      const res = await this.#agent.request({
        origin: this.origin,
        path,
        method: req.method,
        headers,
        body: payload,
        signal: controller.signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const text = await res.body.text();
      const raw = res.headers['x-consul-index'];
      const indexText = Array.isArray(raw) ? raw[0] : raw;
      const index = indexText !== undefined && /^\d+$/.test(indexText) ? Number(indexText) : undefined;
      if (res.statusCode >= 400) {
        const detail = text.slice(0, 200).trim();
        const message = `Consul ${req.method} ${req.path} answered ${res.statusCode}${detail ? `: ${detail}` : ''}`;
        if (res.statusCode >= 500 || res.statusCode === 429) {
          throw new RegistryUnavailableError(message, { status: res.statusCode });
        }
        throw new ConsulRequestError(message, res.statusCode);
      }
      let body: unknown;
      if (text.length > 0) {
        try {
          body = JSON.parse(text);
        } catch (error) {
          throw new RegistryUnavailableError(`Consul ${req.method} ${req.path} answered invalid JSON`, {
            cause: error,
            status: res.statusCode,
          });
        }
      }
      return { status: res.statusCode, index, body };
    } catch (error) {
      if (req.signal?.aborted) throw req.signal.reason;
      if (this.#closed) throw new RegistryClosedError('Consul client is closed');
      if (error instanceof RegistryUnavailableError || error instanceof ConsulRequestError) throw error;
      const reason = (error as Error).message ?? String(error);
      throw new RegistryUnavailableError(`Consul ${req.method} ${req.path} failed: ${reason}`, {
        cause: error,
      });
    } finally {
      req.signal?.removeEventListener('abort', onAbort);
      this.#inflight.delete(controller);
    }
  }

  /** Aborts every request in flight and destroys the connection pool. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of this.#inflight) c.abort(new RegistryClosedError('Consul client is closed'));
    await this.#agent.destroy();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
