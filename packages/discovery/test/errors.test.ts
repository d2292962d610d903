import {
  ConsulRequestError,
  InvalidConfigError,
  isNoEndpointsError,
  isRegistryUnavailableError,
  NoEndpointsError,
  RegistryClosedError,
  RegistryUnavailableError,
  UnknownServiceError,
} from '@breakwater/discovery';
import { describe, expect, it } from 'vitest';

describe('errors', () => {
  it('carry stable codes and a brand; instanceof works across copies of the package', () => {
    const cases: [Error & { code: string }, string][] = [
      [
        new RegistryUnavailableError('x', { status: 500, cause: new Error('c') }),
        'BREAKWATER_REGISTRY_UNAVAILABLE',
      ],
      [new NoEndpointsError('api'), 'BREAKWATER_NO_ENDPOINTS'],
      [new UnknownServiceError('api'), 'BREAKWATER_UNKNOWN_SERVICE'],
      [new InvalidConfigError('x'), 'BREAKWATER_INVALID_CONFIG'],
      [new RegistryClosedError(), 'BREAKWATER_REGISTRY_CLOSED'],
      [new ConsulRequestError('x', 403), 'BREAKWATER_CONSUL_REQUEST_FAILED'],
    ];
    for (const [e, code] of cases) expect(e.code).toBe(code);
    // A structurally identical error from a "duplicate install".
    const foreign = Object.assign(new Error('x'), {
      code: 'BREAKWATER_NO_ENDPOINTS',
      [Symbol.for('breakwater.error')]: true,
    });
    expect(foreign instanceof NoEndpointsError).toBe(true);
    expect(isNoEndpointsError(foreign)).toBe(true);
    expect(foreign instanceof RegistryUnavailableError).toBe(false);
    expect(isRegistryUnavailableError(new Error('x'))).toBe(false);
    expect((cases[0]![0] as RegistryUnavailableError).cause).toBeInstanceOf(Error);
  });
});
