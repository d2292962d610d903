// Option validation (the option named, arguments never mutated), the error mapping table and the
// CLI's argument parsing.
import { StaticRegistry } from '@breakwater/discovery';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from '../src/cli-args.js';
import { errorResponse } from '../src/error-response.js';
import {
  BodyTooLargeError,
  InboundDeadlineError,
  isBodyTooLargeError,
  isInboundDeadlineError,
} from '../src/errors.js';
import { createGateway } from '../src/gateway.js';

const registry = new StaticRegistry({ svc: ['127.0.0.1:1'] });
afterAll(() => registry.close());

describe('createGateway options', () => {
  it.each([
    [{ timeoutMs: -1 }, RangeError, /timeoutMs must be a non-negative integer, got -1/],
    [{ timeoutMs: 1.5 }, RangeError, /timeoutMs/],
    [{ maxHeaderBytes: 0 }, RangeError, /maxHeaderBytes must be a positive integer, got 0/],
    [{ maxBodyBytes: Number.NaN }, RangeError, /maxBodyBytes/],
    [{ maxBufferedBodyBytes: -5 }, RangeError, /maxBufferedBodyBytes/],
    [{ trustForwarded: 'yes' }, TypeError, /trustForwarded must be a boolean/],
    [{ logger: {} }, TypeError, /logger/],
    [{ metrics: { registry: {} } }, TypeError, /metrics.registry/],
    [{ clock: {} }, TypeError, /clock/],
    [{ services: 'svc' }, TypeError, /services must be an object/],
  ])('rejects %o', (bad, type, message) => {
    const attempt = () => createGateway({ registry, ...(bad as object) });
    expect(attempt).toThrow(type);
    expect(attempt).toThrow(message);
  });

  it('needs a registry, and an allowlist when the registry cannot list its services', () => {
    expect(() => createGateway({} as never)).toThrow(/registry must be a @breakwater\/discovery Registry/);
    const opaque = { watch: () => () => undefined, resolve: async () => [], close: async () => undefined };
    expect(() => createGateway({ registry: opaque as never })).toThrow(/services is required/);
    const g = createGateway({ registry: opaque as never, services: { svc: {} } });
    return g.close();
  });

  it('accepts Infinity as maxBodyBytes and does not mutate its options', async () => {
    const options = Object.freeze({
      registry,
      maxBodyBytes: Number.POSITIVE_INFINITY,
      client: Object.freeze({ defaults: Object.freeze({ timeoutMs: 1_000 }) }),
      services: Object.freeze({ svc: Object.freeze({}) }),
    });
    const g = createGateway(options);
    await g.close();
    expect(options.client.defaults).toEqual({ timeoutMs: 1_000 });
  });
});

describe('error mapping table', () => {
  const e = (code: string, extra: object = {}) => Object.assign(new Error(code), { code }, extra);
  it.each([
    ['BREAKWATER_UNKNOWN_SERVICE', 404],
    ['BREAKWATER_NO_ENDPOINTS', 503],
    ['BREAKWATER_CIRCUIT_OPEN', 503],
    ['BREAKWATER_BULKHEAD_FULL', 503],
    ['BREAKWATER_LIMIT_EXCEEDED', 503],
    ['BREAKWATER_CLIENT_CLOSED', 503],
    ['BREAKWATER_DEADLINE_EXCEEDED', 504],
    ['BREAKWATER_GATEWAY_DEADLINE_EXCEEDED', 504],
    ['BREAKWATER_REQUEST_FAILED', 502],
    ['ECONNRESET', 502],
  ])('%s → %i', (code, status) => {
    expect(errorResponse(e(code), 'svc').status).toBe(status);
  });

  it('looks at the cause of a failed request: timeouts → 504, a too-large body → 413', () => {
    const perTry = e('BREAKWATER_REQUEST_FAILED', { cause: e('BREAKWATER_PER_TRY_TIMEOUT') });
    expect(errorResponse(perTry, 'svc').status).toBe(504);
    const headers = e('BREAKWATER_REQUEST_FAILED', { cause: e('UND_ERR_HEADERS_TIMEOUT') });
    expect(errorResponse(headers, 'svc').status).toBe(504);
    const big = e('BREAKWATER_REQUEST_FAILED', { cause: new BodyTooLargeError(10) });
    expect(errorResponse(big, 'svc')).toMatchObject({
      status: 413,
      code: 'BREAKWATER_GATEWAY_BODY_TOO_LARGE',
    });
  });

  it('Retry-After: the breaker open time rounded up, at least 1 s', () => {
    expect(errorResponse(e('BREAKWATER_CIRCUIT_OPEN', { retryAfterMs: 2_100 }), 'svc').retryAfterS).toBe(3);
    expect(errorResponse(e('BREAKWATER_CIRCUIT_OPEN', { retryAfterMs: 0 }), 'svc').retryAfterS).toBe(1);
    expect(errorResponse(e('BREAKWATER_CIRCUIT_OPEN'), 'svc').retryAfterS).toBe(1);
    expect(errorResponse(e('BREAKWATER_BULKHEAD_FULL'), 'svc').retryAfterS).toBe(1);
    expect(errorResponse(e('BREAKWATER_NO_ENDPOINTS'), 'svc').retryAfterS).toBeUndefined();
  });

  it('gateway errors are branded: instanceof and guards work on look-alikes from another copy', () => {
    const foreign = Object.assign(new Error('x'), {
      code: 'BREAKWATER_GATEWAY_DEADLINE_EXCEEDED',
      [Symbol.for('breakwater.error')]: true,
    });
    expect(foreign instanceof InboundDeadlineError).toBe(true);
    expect(isInboundDeadlineError(foreign)).toBe(true);
    expect(isBodyTooLargeError(foreign)).toBe(false);
    expect(new BodyTooLargeError(1) instanceof InboundDeadlineError).toBe(false);
    expect(
      Object.assign(new Error('x'), { code: 'BREAKWATER_GATEWAY_DEADLINE_EXCEEDED' }) instanceof
        InboundDeadlineError,
    ).toBe(false);
  });
});

describe('CLI arguments', () => {
  it('defaults, flags, inline values and the environment allowlist', () => {
    expect(parseCliArgs([])).toEqual({
      port: 8000,
      host: '127.0.0.1',
      services: undefined,
      timeoutMs: undefined,
      metrics: true,
    });
    expect(
      parseCliArgs([
        '--port',
        '0',
        '--host=0.0.0.0',
        '--services',
        'a, b',
        '--timeout-ms=500',
        '--no-metrics',
      ]),
    ).toEqual({ port: 0, host: '0.0.0.0', services: ['a', 'b'], timeoutMs: 500, metrics: false });
    expect(parseCliArgs([], { BREAKWATER_GATEWAY_SERVICES: 'x,y' }).services).toEqual(['x', 'y']);
  });

  it.each([
    [['--port', '70000'], /--port must be an integer from 0 to 65535/],
    [['--port'], /--port/],
    [['--services', ' , '], /--services must list at least one service/],
    [['--bogus'], /unknown argument --bogus/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});
