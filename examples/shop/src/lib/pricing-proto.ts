// The pricing proto (proto/pricing.proto), loaded once with @grpc/proto-loader, and its TS shapes.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

export const PRICING_SERVICE = 'shop.pricing.v1.Pricing';
export const PRICING_PROTO_PATH = fileURLToPath(new URL('../../proto/pricing.proto', import.meta.url));

export interface QuoteRequest {
  skus: string[];
  currency: string;
}

export interface PriceMessage {
  sku: string;
  /** int64, loaded as a JS number (prices are far below 2^53). */
  units: number;
  nanos: number;
  currency: string;
}

export interface QuoteReply {
  prices: PriceMessage[];
}

/** The grpc-js client for Pricing, as proto-loader's generated constructor makes it. */
export interface PricingClient extends grpc.Client {
  Quote(
    request: QuoteRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, reply?: QuoteReply) => void,
  ): grpc.ClientUnaryCall;
}

export interface PricingClientConstructor {
  new (address: string, credentials: grpc.ChannelCredentials, options?: object): PricingClient;
  readonly service: grpc.ServiceDefinition;
}

let loaded: PricingClientConstructor | undefined;

/** The Pricing client constructor (its `.service` is the server's service definition). */
export function pricingConstructor(): PricingClientConstructor {
  if (loaded !== undefined) return loaded;
  const definition = loadSync(PRICING_PROTO_PATH, {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    shop: { pricing: { v1: { Pricing: PricingClientConstructor } } };
  };
  loaded = pkg.shop.pricing.v1.Pricing;
  return loaded;
}
