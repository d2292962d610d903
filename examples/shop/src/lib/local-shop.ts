// The whole shop in one process (tests, quick demos): N instances of each backend on 127.0.0.1:0
// and a frontend over a StaticRegistry that lists them.
import { StaticRegistry } from '@breakwater/discovery';
import { startCart } from '../services/cart.js';
import { startCatalog } from '../services/catalog.js';
import { type FrontendService, startFrontend } from '../services/frontend.js';
import { type PricingService, startPricing } from '../services/pricing.js';
import type { HttpBackend } from './http-backend.js';
import type { LogSink } from './logger.js';

export interface LocalShopOptions {
  /** Instances per backend. Default 3. */
  readonly instances?: number;
  /** Every service's log lines. Default: dropped. */
  readonly log?: LogSink;
  readonly drainTimeoutMs?: number;
}

export interface LocalShop {
  readonly frontend: FrontendService;
  readonly catalog: readonly HttpBackend[];
  readonly cart: readonly HttpBackend[];
  readonly pricing: readonly PricingService[];
  readonly registry: StaticRegistry;
  /** `http://127.0.0.1:<frontend port>`. */
  readonly url: string;
  close(): Promise<void>;
}

const drop: LogSink = () => {};

export async function startLocalShop(options: LocalShopOptions = {}): Promise<LocalShop> {
  const n = options.instances ?? 3;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`instances must be a positive integer, got ${n}`);
  const common = {
    log: options.log ?? drop,
    drainTimeoutMs: options.drainTimeoutMs ?? 200,
  };
  const started: { close(): Promise<void> }[] = [];
  const track = <T extends { close(): Promise<void> }>(s: T): T => {
    started.push(s);
    return s;
  };
  const closeAll = async (): Promise<void> => {
    // Frontend first (it holds client connections to the backends), then the backends.
    await Promise.allSettled(started.reverse().map((s) => s.close()));
  };
  try {
    const range = Array.from({ length: n }, (_, i) => i + 1);
    const catalog = await Promise.all(
      range.map((i) => startCatalog({ ...common, instance: `catalog-${i}` }).then(track)),
    );
    const cart = await Promise.all(
      range.map((i) => startCart({ ...common, instance: `cart-${i}` }).then(track)),
    );
    const pricing = await Promise.all(
      range.map((i) => startPricing({ ...common, instance: `pricing-${i}` }).then(track)),
    );
    const at = (s: { port: number }) => `127.0.0.1:${s.port}`;
    const registry = new StaticRegistry({
      catalog: catalog.map(at),
      cart: cart.map(at),
      pricing: pricing.map(at),
    });
    started.unshift({ close: () => registry.close() });
    const frontend = track(await startFrontend({ ...common, instance: 'frontend-1', registry }));
    return {
      frontend,
      catalog,
      cart,
      pricing,
      registry,
      url: `http://127.0.0.1:${frontend.port}`,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
