// The frontend's view of its backends: one Breakwater HTTP client for catalog and cart, one
// Breakwater gRPC client for pricing, and typed calls over them. Policies per service:
//   catalog (GETs): retried on 502/503/504 and resets up to 3 attempts under the retry budget,
//     per-try timeout, endpoint breakers + outlier detection, 2 s deadline;
//   cart: same, but POST is not idempotent: retried only when the request never left
//     (connect errors), which is the client's default for non-idempotent methods; and sticky:
//     a ring-hash balancer keyed by the user header sends a user's calls to one instance;
//   pricing (gRPC): Quote is idempotent (retried on UNAVAILABLE), grpc.health.v1 Watch per endpoint.
import { createHttpClient, type HttpClient, type ServicePolicy } from '@breakwater/client';
import {
  createGrpcClient,
  type GrpcClient,
  type ServiceClientConstructorLike,
} from '@breakwater/client/grpc';
import type { Registry } from '@breakwater/discovery';
import * as grpc from '@grpc/grpc-js';
import type { Registry as PromRegistry } from 'prom-client';
import {
  PRICING_SERVICE,
  type PriceMessage,
  type PricingClient,
  pricingConstructor,
} from '../lib/pricing-proto.js';
import type { Product } from '../lib/products.js';
import type { CartItem } from './cart-store.js';

/** A backend call that failed; `status` is what the frontend answers. */
export class UpstreamError extends Error {
  constructor(
    readonly service: string,
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UpstreamError';
  }
}

const BACKEND_POLICY: ServicePolicy = {
  timeoutMs: 2_000,
  perTryTimeoutMs: 700,
  retry: { maxAttempts: 3, maxRetryAfterMs: 1_000 },
  budget: { percentCanRetry: 0.2, minRetriesPerSecond: 10, ttl: 10_000 },
  // Envoy's ejection defaults, but 5 s base ejection instead of 30 s: a restarted instance (the
  // launcher brings killed ones back within seconds) gets traffic again soon enough to watch.
  balancer: { policy: 'peak-ewma', outlierDetection: { baseEjectionTimeMs: 5_000 } },
  // A departed instance's pool must not keep the frontend's close() waiting long.
  pool: { drainTimeoutMs: 2_000 },
};

// Carts live in each cart instance's memory: a user's calls go to one instance while it is up
// (Envoy's hash_policy on a header; Breakwater's `hashKey`). Retries go to another instance.
const CART_POLICY: ServicePolicy = {
  ...BACKEND_POLICY,
  // Affinity keeps sending a user to a half-failing instance that P2C would have avoided, and a
  // failed POST is not retried: so eject it on its failure share (Envoy's failure_percentage
  // detector, off by default there) within an interval, and the ring moves its users on.
  balancer: {
    policy: 'ring-hash',
    outlierDetection: {
      baseEjectionTimeMs: 5_000,
      intervalMs: 2_000,
      maxEjectionPercent: 34,
      failurePercentageThreshold: 30,
      failurePercentageMinimumHosts: 3,
      failurePercentageRequestVolume: 10,
      enforcingFailurePercentage: 100,
    },
  },
  hashKey: { header: 'x-shop-user' },
};

export interface Backends {
  readonly http: HttpClient;
  readonly pricing: GrpcClient<PricingClient>;
  listProducts(): Promise<Product[]>;
  /** undefined when the catalog says 404. */
  getProduct(id: string): Promise<Product | undefined>;
  /** Prices by SKU. Rejects with UpstreamError (400 for a bad currency, 503 otherwise). */
  quote(skus: readonly string[], currency: string): Promise<Map<string, PriceMessage>>;
  getCart(user: string): Promise<{ user: string; items: CartItem[] }>;
  /** The cart's answer, passed through (400 with its message for a bad item). */
  addToCart(user: string, item: CartItem): Promise<{ status: number; body: unknown }>;
  clearCart(user: string): Promise<void>;
  close(): Promise<void>;
}

export function createBackends(registry: Registry, metrics: PromRegistry): Backends {
  const http = createHttpClient({
    registry,
    services: { catalog: BACKEND_POLICY, cart: CART_POLICY },
    metrics: { registry: metrics },
  });
  const Pricing = pricingConstructor() as unknown as ServiceClientConstructorLike<PricingClient>;
  const pricing = createGrpcClient(Pricing, {
    registry,
    service: 'pricing',
    idempotentMethods: ['Quote'],
    timeoutMs: 1_500,
    perTryTimeoutMs: 500,
    budget: { percentCanRetry: 0.2, minRetriesPerSecond: 10, ttl: 10_000 },
    balancer: { policy: 'peak-ewma', outlierDetection: { baseEjectionTimeMs: 5_000 } },
    healthCheck: { serviceName: PRICING_SERVICE, reconnectMs: 500 },
    drainTimeoutMs: 2_000,
    // A killed instance comes back on the same port within seconds (the launcher restarts it):
    // keep grpc-js's reconnect backoff short (its default grows to 120 s).
    channelOptions: { 'grpc.initial_reconnect_backoff_ms': 250, 'grpc.max_reconnect_backoff_ms': 2_000 },
    metrics: { registry: metrics },
  });

  const call = async (
    service: string,
    path: string,
    method: 'GET' | 'POST' | 'DELETE' = 'GET',
    body?: unknown,
    user?: string,
  ): Promise<{ status: number; body: unknown }> => {
    let res: Awaited<ReturnType<HttpClient['request']>>;
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (user !== undefined) headers['x-shop-user'] = user;
    try {
      res = await http.request(service, {
        path,
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new UpstreamError(service, 503, `${service} unavailable`, { cause: error });
    }
    if (res.statusCode === 204) {
      await res.body.dump();
      return { status: 204, body: undefined };
    }
    if (res.statusCode >= 500) {
      await res.body.dump();
      throw new UpstreamError(service, 503, `${service} failed with ${res.statusCode}`);
    }
    let parsed: unknown;
    try {
      parsed = await res.body.json();
    } catch (error) {
      throw new UpstreamError(service, 502, `${service} sent an unreadable answer`, { cause: error });
    }
    return { status: res.statusCode, body: parsed };
  };

  return {
    http,
    pricing,
    async listProducts() {
      const r = await call('catalog', '/products');
      if (r.status !== 200 || !Array.isArray(r.body)) {
        throw new UpstreamError('catalog', 502, `catalog answered ${r.status}`);
      }
      return r.body as Product[];
    },
    async getProduct(id) {
      const r = await call('catalog', `/products/${encodeURIComponent(id)}`);
      if (r.status === 404) return undefined;
      if (r.status !== 200) throw new UpstreamError('catalog', 502, `catalog answered ${r.status}`);
      return r.body as Product;
    },
    quote(skus, currency) {
      return new Promise((resolve, reject) => {
        pricing.Quote({ skus: [...skus], currency }, new grpc.Metadata(), {}, (error, reply) => {
          if (error !== null) {
            const status = error.code === grpc.status.INVALID_ARGUMENT ? 400 : 503;
            reject(new UpstreamError('pricing', status, error.details || error.message, { cause: error }));
            return;
          }
          resolve(new Map((reply?.prices ?? []).map((p) => [p.sku, p])));
        });
      });
    },
    async getCart(user) {
      const r = await call('cart', `/carts/${encodeURIComponent(user)}`, 'GET', undefined, user);
      if (r.status !== 200)
        throw new UpstreamError('cart', r.status === 400 ? 400 : 502, errorText(r.body, r.status));
      return r.body as { user: string; items: CartItem[] };
    },
    addToCart(user, item) {
      return call('cart', `/carts/${encodeURIComponent(user)}/items`, 'POST', item, user);
    },
    async clearCart(user) {
      const r = await call('cart', `/carts/${encodeURIComponent(user)}`, 'DELETE', undefined, user);
      if (r.status !== 204)
        throw new UpstreamError('cart', r.status === 400 ? 400 : 502, errorText(r.body, r.status));
    },
    async close() {
      await Promise.all([http.close(), pricing.close()]);
    },
  };
}

function errorText(body: unknown, status: number): string {
  const e = (body as { error?: unknown } | undefined)?.error;
  return typeof e === 'string' ? e : `answered ${status}`;
}
