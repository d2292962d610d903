// The Quote logic, apart from grpc-js: prices of known SKUs in a known currency.

import type { PriceMessage, QuoteRequest } from '../lib/pricing-proto.js';
import { BASE_PRICES_CENTS, convertCents, RATES_PPM } from '../lib/products.js';

/** gRPC status codes used by the pricing service. */
export const INVALID_ARGUMENT = 3;
export const NOT_FOUND = 5;

export const MAX_SKUS = 100;

export type QuoteResult =
  | { readonly ok: true; readonly prices: PriceMessage[] }
  | { readonly ok: false; readonly code: number; readonly details: string };

export function quote(request: QuoteRequest): QuoteResult {
  const currency = request.currency === '' ? 'USD' : request.currency.toUpperCase();
  if (!RATES_PPM.has(currency)) {
    return {
      ok: false,
      code: INVALID_ARGUMENT,
      details: `unknown currency "${request.currency}" (known: ${[...RATES_PPM.keys()].join(', ')})`,
    };
  }
  if (request.skus.length > MAX_SKUS) {
    return { ok: false, code: INVALID_ARGUMENT, details: `at most ${MAX_SKUS} skus per quote` };
  }
  const prices: PriceMessage[] = [];
  for (const sku of request.skus) {
    const cents = BASE_PRICES_CENTS.get(sku);
    if (cents === undefined) return { ok: false, code: NOT_FOUND, details: `unknown sku "${sku}"` };
    prices.push({ sku, ...convertCents(cents, currency) });
  }
  return { ok: true, prices };
}
