// The frontend's JSON API (an Express 5 Router). Async handlers may throw: Express 5 passes the
// rejection to the error middleware, which turns UpstreamError into its status.
import express, { type Request, type Response, Router } from 'express';
import type { Logger } from '../lib/logger.js';
import type { PriceMessage } from '../lib/pricing-proto.js';
import { type Money, RATES_PPM, sumMoney } from '../lib/products.js';
import { isValidId, parseCartItem } from './cart-store.js';
import { type Backends, UpstreamError } from './frontend-backends.js';

export const DEGRADED_HEADER = 'x-shop-degraded';

function money(p: PriceMessage | undefined): Money | null {
  return p === undefined ? null : { units: Number(p.units), nanos: p.nanos, currency: p.currency };
}

function currencyOf(req: Request): string | UpstreamError {
  const raw = req.query.currency;
  if (raw === undefined) return 'USD';
  if (typeof raw !== 'string' || !/^[A-Za-z]{3}$/.test(raw)) {
    return new UpstreamError('frontend', 400, 'currency must be a three-letter code such as USD');
  }
  return raw.toUpperCase();
}

export function createApiRouter(backends: Backends, logger: Logger): Router {
  const router = Router();

  /** Prices for `skus`, or null when pricing is down (then the answer says it is degraded). */
  const pricesOrDegrade = async (
    res: Response,
    skus: readonly string[],
    currency: string,
  ): Promise<Map<string, PriceMessage> | null> => {
    if (skus.length === 0) return new Map();
    try {
      return await backends.quote(skus, currency);
    } catch (error) {
      if (error instanceof UpstreamError && error.status === 400) throw error;
      logger.warn('pricing unavailable, answering without prices', {
        error: (error as Error).cause ?? error,
      });
      res.setHeader(DEGRADED_HEADER, 'pricing');
      return null;
    }
  };

  router.get('/currencies', (_req, res) => {
    res.json([...RATES_PPM.keys()]);
  });

  router.get('/products', async (req, res) => {
    const currency = currencyOf(req);
    if (currency instanceof UpstreamError) throw currency;
    const products = await backends.listProducts();
    const prices = await pricesOrDegrade(
      res,
      products.map((p) => p.id),
      currency,
    );
    res.json(products.map((p) => ({ ...p, price: prices === null ? null : money(prices.get(p.id)) })));
  });

  router.get('/products/:id', async (req, res) => {
    const currency = currencyOf(req);
    if (currency instanceof UpstreamError) throw currency;
    const id = req.params.id ?? '';
    if (!isValidId(id)) {
      res.status(404).json({ error: 'product not found', id });
      return;
    }
    const product = await backends.getProduct(id);
    if (product === undefined) {
      res.status(404).json({ error: 'product not found', id });
      return;
    }
    const prices = await pricesOrDegrade(res, [id], currency);
    res.json({ ...product, price: prices === null ? null : money(prices.get(id)) });
  });

  router.get('/cart/:user', async (req, res) => {
    const currency = currencyOf(req);
    if (currency instanceof UpstreamError) throw currency;
    const user = req.params.user ?? '';
    if (!isValidId(user))
      throw new UpstreamError('frontend', 400, 'user must be 1-64 letters, digits, _ or -');
    const cart = await backends.getCart(user);
    const ids = cart.items.map((i) => i.productId);
    const [products, prices] = await Promise.all([
      ids.length === 0 ? Promise.resolve([]) : backends.listProducts(),
      pricesOrDegrade(res, ids, currency),
    ]);
    const names = new Map(products.map((p) => [p.id, p.name]));
    const items = cart.items.map((i) => ({
      ...i,
      name: names.get(i.productId) ?? null,
      price: prices === null ? null : money(prices.get(i.productId)),
    }));
    const total =
      prices === null
        ? null
        : sumMoney(
            cart.items.flatMap((i) => {
              const m = money(prices.get(i.productId));
              return m === null ? [] : [{ money: m, quantity: i.quantity }];
            }),
            currency,
          );
    res.json({ user, items, total });
  });

  router.post('/cart/:user/items', express.json({ limit: '4kb', strict: true }), async (req, res) => {
    const user = req.params.user ?? '';
    if (!isValidId(user))
      throw new UpstreamError('frontend', 400, 'user must be 1-64 letters, digits, _ or -');
    const item = parseCartItem(req.body);
    if (typeof item === 'string') {
      res.status(400).json({ error: item });
      return;
    }
    const product = await backends.getProduct(item.productId);
    if (product === undefined) {
      res.status(404).json({ error: 'product not found', id: item.productId });
      return;
    }
    const answer = await backends.addToCart(user, item);
    logger.info('added to cart', { user, productId: item.productId, quantity: item.quantity });
    res.status(answer.status).json(answer.body);
  });

  router.delete('/cart/:user', async (req, res) => {
    const user = req.params.user ?? '';
    if (!isValidId(user))
      throw new UpstreamError('frontend', 400, 'user must be 1-64 letters, digits, _ or -');
    await backends.clearCart(user);
    res.status(204).end();
  });

  return router;
}
