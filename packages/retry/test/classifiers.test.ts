import {
  CONNECT_PHASE_CODES,
  classifyGrpcError,
  classifyHttpResponse,
  GrpcStatus,
  grpcShouldRetry,
  httpShouldRetry,
  isIdempotentMethod,
  isRetryableNetworkError,
  networkErrorCode,
  networkErrors,
  RETRYABLE_NETWORK_CODES,
  readHeader,
} from '@breakwater/retry';
import { describe, expect, it } from 'vitest';

const err = (code: string) => Object.assign(new Error(code), { code });
const fail = (error: unknown) => ({ ok: false as const, error });
const ok = (value: unknown) => ({ ok: true as const, value });

describe('network errors', () => {
  it('retries the listed Node and undici codes, also when wrapped in cause (fetch failed)', () => {
    for (const code of [
      'ECONNRESET',
      'ECONNREFUSED',
      'EPIPE',
      'ETIMEDOUT',
      'UND_ERR_SOCKET',
      'UND_ERR_CONNECT_TIMEOUT',
    ]) {
      expect(RETRYABLE_NETWORK_CODES).toContain(code);
      expect(isRetryableNetworkError(err(code))).toBe(true);
    }
    const wrapped = new TypeError('fetch failed', { cause: err('UND_ERR_SOCKET') });
    expect(networkErrorCode(wrapped)).toBe('UND_ERR_SOCKET');
    expect(isRetryableNetworkError(wrapped)).toBe(true);
    expect(isRetryableNetworkError(err('ERR_INVALID_ARG_TYPE'))).toBe(false);
    expect(isRetryableNetworkError(new Error('no code'))).toBe(false);
    expect(isRetryableNetworkError('ECONNRESET')).toBe(false);
  });

  it('for non-idempotent requests only connect-phase errors are retryable', () => {
    expect(CONNECT_PHASE_CODES).toContain('ECONNREFUSED');
    expect(isRetryableNetworkError(err('ECONNREFUSED'), { idempotent: false })).toBe(true);
    expect(isRetryableNetworkError(err('UND_ERR_CONNECT_TIMEOUT'), { idempotent: false })).toBe(true);
    expect(isRetryableNetworkError(err('ECONNRESET'), { idempotent: false })).toBe(false);
    expect(isRetryableNetworkError(err('UND_ERR_SOCKET'), { idempotent: false })).toBe(false);
    const should = networkErrors();
    expect(should(fail(err('EPIPE')), 1)).toBe(true);
    expect(should(ok('fine'), 1)).toBe(false);
  });
});

describe('HTTP responses', () => {
  it('retries 429/502/503/504 for idempotent methods only', () => {
    for (const status of [429, 502, 503, 504]) {
      expect(classifyHttpResponse({ status }, { method: 'GET' })).toBe(true);
      expect(classifyHttpResponse({ statusCode: status }, { method: 'put' })).toBe(true);
      expect(classifyHttpResponse({ status }, { method: 'POST' })).toBe(false);
      expect(classifyHttpResponse({ status }, { method: 'POST', idempotent: true })).toBe(true);
      expect(classifyHttpResponse({ status })).toBe(false); // unknown method: not idempotent
    }
    for (const status of [200, 400, 404, 500, 501])
      expect(classifyHttpResponse({ status }, { method: 'GET' })).toBe(false);
    expect(isIdempotentMethod('DELETE')).toBe(true);
    expect(isIdempotentMethod('PATCH')).toBe(false);
    expect(classifyHttpResponse('not a response', { method: 'GET' })).toBe(false);
  });

  it('turns Retry-After into a pushback delay (record and Headers shapes; garbage ignored)', () => {
    const wallClock = { now: () => Date.UTC(2026, 0, 1, 0, 0, 0) };
    expect(
      classifyHttpResponse({ statusCode: 503, headers: { 'retry-after': '3' } }, { method: 'GET' }),
    ).toBe(3000);
    expect(
      classifyHttpResponse(
        { status: 429, headers: new Headers({ 'Retry-After': 'Thu, 01 Jan 2026 00:00:02 GMT' }) },
        { method: 'GET', wallClock },
      ),
    ).toBe(2000);
    expect(
      classifyHttpResponse({ status: 503, headers: { 'Retry-After': 'whenever' } }, { method: 'GET' }),
    ).toBe(true);
    expect(
      classifyHttpResponse(
        { status: 503, headers: { 'retry-after': '3' } },
        { method: 'GET', retryAfter: false },
      ),
    ).toBe(true);
  });

  it('httpShouldRetry classifies results, status-carrying errors and network errors', () => {
    const get = httpShouldRetry({ method: 'GET' });
    expect(get(ok({ status: 503 }), 1)).toBe(true);
    expect(get(ok({ status: 200 }), 1)).toBe(false);
    expect(get(fail(Object.assign(new Error('HTTP 502'), { statusCode: 502 })), 1)).toBe(true);
    expect(get(fail(err('ECONNRESET')), 1)).toBe(true);
    const post = httpShouldRetry({ method: 'POST' });
    expect(post(ok({ status: 503 }), 1)).toBe(false);
    expect(post(fail(err('ECONNRESET')), 1)).toBe(false);
    expect(post(fail(err('ECONNREFUSED')), 1)).toBe(true);
  });
});

describe('gRPC status codes', () => {
  const metadata = (pushback?: string) => ({
    get: (key: string) => (key === 'grpc-retry-pushback-ms' && pushback !== undefined ? [pushback] : []),
  });
  const grpcErr = (code: number, pushback?: string) =>
    Object.assign(new Error('rpc'), { code, metadata: metadata(pushback) });

  it('retries UNAVAILABLE, honouring pushback; negative or garbage pushback forbids the retry', () => {
    expect(classifyGrpcError(grpcErr(GrpcStatus.UNAVAILABLE))).toBe(true);
    expect(classifyGrpcError(grpcErr(GrpcStatus.UNAVAILABLE, '200'))).toBe(200);
    expect(classifyGrpcError(grpcErr(GrpcStatus.UNAVAILABLE, '-1'))).toBe(false);
    expect(classifyGrpcError(grpcErr(GrpcStatus.UNAVAILABLE, 'later'))).toBe(false);
  });

  it('retries RESOURCE_EXHAUSTED only with pushback; other codes never', () => {
    expect(classifyGrpcError(grpcErr(GrpcStatus.RESOURCE_EXHAUSTED))).toBe(false);
    expect(classifyGrpcError(grpcErr(GrpcStatus.RESOURCE_EXHAUSTED, '50'))).toBe(50);
    expect(classifyGrpcError(grpcErr(GrpcStatus.INTERNAL, '50'))).toBe(false);
    expect(classifyGrpcError(grpcErr(GrpcStatus.DEADLINE_EXCEEDED))).toBe(false);
    expect(classifyGrpcError(err('ECONNRESET'))).toBe(false);
    expect(
      classifyGrpcError({ code: GrpcStatus.UNAVAILABLE, metadata: { 'grpc-retry-pushback-ms': '7' } }),
    ).toBe(7);
    const should = grpcShouldRetry({ codes: [GrpcStatus.UNAVAILABLE, GrpcStatus.ABORTED] });
    expect(should(fail(grpcErr(GrpcStatus.ABORTED)), 1)).toBe(true);
    expect(should(ok({}), 1)).toBe(false);
  });
});

describe('readHeader', () => {
  it('reads Headers, Metadata-like and records (case-insensitively), never throws', () => {
    expect(readHeader(new Headers({ 'X-A': '1' }), 'x-a')).toBe('1');
    expect(readHeader({ 'X-A': ['2', '3'] }, 'x-a')).toBe('2');
    expect(readHeader({ get: () => [Buffer.from('bin')] }, 'x')).toBeUndefined();
    expect(
      readHeader(
        {
          get: () => {
            throw new Error('bad');
          },
        },
        'x',
      ),
    ).toBeUndefined();
    expect(readHeader(null, 'x')).toBeUndefined();
  });
});
