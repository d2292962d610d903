// Which processes make up the shop, where their entry files are, and the frontend's registry environment.
import { fileURLToPath } from 'node:url';
import type { ChildInfo } from './supervisor.js';

export const BACKENDS = Object.freeze(['catalog', 'cart', 'pricing'] as const);
export type Backend = (typeof BACKENDS)[number];

export interface ShopEntries {
  readonly catalog: string;
  readonly cart: string;
  readonly pricing: string;
  readonly frontend: string;
}

const entry = (name: string): string => fileURLToPath(new URL(`../services/${name}.ts`, import.meta.url));

/** The service entry points of shop-contract.md, run from source through tsx. */
export const DEFAULT_ENTRIES: ShopEntries = Object.freeze({
  catalog: entry('catalog'),
  cart: entry('cart'),
  pricing: entry('pricing'),
  frontend: entry('frontend'),
});

/** `catalog-1` … `pricing-<n>`, grouped by service. */
export function backendIds(instances: number): string[] {
  return BACKENDS.flatMap((s) => Array.from({ length: instances }, (_, i) => `${s}-${i + 1}`));
}

/** `catalog=127.0.0.1:p1,127.0.0.1:p2;cart=…;pricing=…` (pricing: the gRPC ports), in instance order. */
export function staticServices(backends: readonly ChildInfo[]): string {
  return BACKENDS.map((s) => {
    const list = backends
      .filter((b) => b.service === s)
      .sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }))
      .map((b) => `127.0.0.1:${b.port}`);
    return `${s}=${list.join(',')}`;
  }).join(';');
}

/** Static registry with the backends' ports, or Consul (the backends register themselves) when it is configured. */
export function frontendRegistryEnv(
  backends: readonly ChildInfo[],
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  if (env.CONSUL_HTTP_ADDR !== undefined && env.CONSUL_HTTP_ADDR !== '')
    return { BREAKWATER_REGISTRY: 'consul' };
  return { BREAKWATER_REGISTRY: 'static', BREAKWATER_STATIC_SERVICES: staticServices(backends) };
}
