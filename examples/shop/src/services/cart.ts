// cart: per-user carts over HTTP (node:http), in memory per instance. Run as a process:
//   tsx --conditions=breakwater-source examples/shop/src/services/cart.ts
import { type HttpBackend, type HttpBackendOptions, startHttpBackend } from '../lib/http-backend.js';
import { readJsonBody, sendJson } from '../lib/json-http.js';
import { isMainModule, runServiceProcess } from '../lib/main.js';
import { Router } from '../lib/router.js';
import { serviceOptionsFromEnv } from '../lib/service-options.js';
import { CartStore, isValidId, parseCartItem } from './cart-store.js';

/** Largest accepted POST body. */
export const CART_BODY_LIMIT = 4 * 1024;

export function startCart(options: HttpBackendOptions = {}): Promise<HttpBackend> {
  const store = new CartStore();
  const badUser = (user: string | undefined): string | undefined =>
    user !== undefined && isValidId(user) ? undefined : 'user must be 1-64 letters, digits, _ or -';
  return startHttpBackend('cart', options, (logger) =>
    new Router()
      .add('GET', '/carts/:user', (_req, res, { user }) => {
        const bad = badUser(user);
        if (bad !== undefined) return sendJson(res, 400, { error: bad });
        sendJson(res, 200, store.get(user!));
      })
      .add('POST', '/carts/:user/items', async (req, res, { user }) => {
        const bad = badUser(user);
        if (bad !== undefined) {
          req.resume();
          return sendJson(res, 400, { error: bad });
        }
        const item = parseCartItem(await readJsonBody(req, CART_BODY_LIMIT));
        if (typeof item === 'string') return sendJson(res, 400, { error: item });
        try {
          const cart = store.add(user!, item);
          logger.info('item added', { user, productId: item.productId, quantity: item.quantity });
          sendJson(res, 200, cart);
        } catch (error) {
          if (error instanceof RangeError) return sendJson(res, 409, { error: error.message });
          throw error;
        }
      })
      .add('DELETE', '/carts/:user', (_req, res, { user }) => {
        const bad = badUser(user);
        if (bad !== undefined) return sendJson(res, 400, { error: bad });
        store.clear(user!);
        logger.info('cart cleared', { user });
        res.writeHead(204).end();
      }),
  );
}

if (isMainModule(import.meta.url)) {
  void runServiceProcess(() => startCart(serviceOptionsFromEnv(process.env)));
}
