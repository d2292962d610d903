import { describe, expect, it } from 'vitest';
import {
  backendIds,
  DEFAULT_ENTRIES,
  frontendRegistryEnv,
  staticServices,
} from '../src/launcher/shop-layout.js';
import type { ChildInfo } from '../src/launcher/supervisor.js';

const child = (id: string, port: number, adminPort = port): ChildInfo => ({
  id,
  service: id.replace(/-\d+$/, ''),
  pid: 1,
  port,
  adminPort,
});

const BACKENDS = [
  child('catalog-2', 7002),
  child('catalog-1', 7001),
  child('cart-1', 7101),
  child('pricing-1', 7201, 7301),
  child('catalog-10', 7010),
];

describe('shop layout', () => {
  it('names instances per backend', () => {
    expect(backendIds(2)).toEqual(['catalog-1', 'catalog-2', 'cart-1', 'cart-2', 'pricing-1', 'pricing-2']);
  });

  it('lists the static registry in instance order, with the gRPC port (not the admin port) for pricing', () => {
    expect(staticServices(BACKENDS)).toBe(
      'catalog=127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7010;cart=127.0.0.1:7101;pricing=127.0.0.1:7201',
    );
  });

  it('gives the frontend the static list, or Consul when CONSUL_HTTP_ADDR is set', () => {
    expect(frontendRegistryEnv(BACKENDS, {})).toEqual({
      BREAKWATER_REGISTRY: 'static',
      BREAKWATER_STATIC_SERVICES: staticServices(BACKENDS),
    });
    expect(frontendRegistryEnv(BACKENDS, { CONSUL_HTTP_ADDR: '' })).toMatchObject({
      BREAKWATER_REGISTRY: 'static',
    });
    expect(frontendRegistryEnv(BACKENDS, { CONSUL_HTTP_ADDR: '127.0.0.1:8500' })).toEqual({
      BREAKWATER_REGISTRY: 'consul',
    });
  });

  it('points at the service entry points of the contract', () => {
    for (const [name, file] of Object.entries(DEFAULT_ENTRIES)) {
      expect(file).toMatch(new RegExp(`examples/shop/src/services/${name}\\.ts$`));
    }
  });
});
