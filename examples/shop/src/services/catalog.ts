// catalog: the product list over HTTP (node:http). Run as a process:
//   tsx --conditions=breakwater-source examples/shop/src/services/catalog.ts
import { type HttpBackend, type HttpBackendOptions, startHttpBackend } from '../lib/http-backend.js';
import { sendJson } from '../lib/json-http.js';
import { isMainModule, runServiceProcess } from '../lib/main.js';
import { PRODUCTS, type Product } from '../lib/products.js';
import { Router } from '../lib/router.js';
import { serviceOptionsFromEnv } from '../lib/service-options.js';

export interface CatalogOptions extends HttpBackendOptions {
  /** Default: the shop's ten products. */
  readonly products?: readonly Product[];
}

export function startCatalog(options: CatalogOptions = {}): Promise<HttpBackend> {
  const products = options.products ?? PRODUCTS;
  const byId = new Map(products.map((p) => [p.id, p]));
  const list = JSON.stringify(products);
  return startHttpBackend('catalog', options, (logger) =>
    new Router()
      .add('GET', '/products', (_req, res) => {
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(list),
        });
        res.end(list);
      })
      .add('GET', '/products/:id', (_req, res, params) => {
        const id = params.id ?? '';
        const product = byId.get(id);
        if (product === undefined) {
          logger.info('unknown product', { id });
          sendJson(res, 404, { error: 'product not found', id });
          return;
        }
        sendJson(res, 200, product);
      }),
  );
}

if (isMainModule(import.meta.url)) {
  void runServiceProcess(() => startCatalog(serviceOptionsFromEnv(process.env)));
}
