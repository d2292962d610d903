import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attemptHeaders, flattenHeaders, rawHeader } from '../src/http/request-headers.js';
import { compileRoute, matchRoute } from '../src/route-matcher.js';

const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/);
const value = fc.stringMatching(/^[ -~]{0,20}$/);
const ours = fc.constantFrom('traceparent', 'TraceParent', 'tracestate', 'x-breakwater-deadline-ms');

describe('request headers', () => {
  it('flattening keeps the caller headers in order, drops only ours, in every input form', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(name, ours), value), { maxLength: 12 }), (pairs) => {
        const expected = pairs
          .filter(([k]) => !/^(traceparent|tracestate|x-breakwater-deadline-ms)$/i.test(k))
          .flat();
        const flat = pairs.flat();
        expect(flattenHeaders(flat, true, true)).toEqual(expected);
        expect(flattenHeaders(pairs, true, true)).toEqual(expected);
        expect(flattenHeaders(new Map(pairs), true, true)).toEqual(
          [...new Map(pairs)]
            .filter(([k]) => !/^(traceparent|tracestate|x-breakwater-deadline-ms)$/i.test(k))
            .flat(),
        );
        const rec = Object.fromEntries(pairs);
        expect(flattenHeaders(rec, true, true)).toEqual(
          Object.entries(rec)
            .filter(([k]) => !/^(traceparent|tracestate|x-breakwater-deadline-ms)$/i.test(k))
            .flat(),
        );
        // Nothing is stripped when the client injects nothing.
        expect(flattenHeaders(flat, false, false)).toEqual(flat);
      }),
      { seed: 7, numRuns: 1000 },
    );
  });

  it('each attempt gets a fresh array with its own trace and deadline headers appended', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(name, value), { maxLength: 8 }),
        fc.option(value),
        fc.option(value),
        (pairs, tp, dl) => {
          const base = pairs.flat();
          const out = attemptHeaders(base, tp ?? undefined, undefined, dl ?? undefined);
          expect(out).not.toBe(base);
          expect(out.slice(0, base.length)).toEqual(base);
          const tail = out.slice(base.length);
          expect(tail).toEqual([
            ...(tp === null ? [] : ['traceparent', tp]),
            ...(dl === null ? [] : ['x-breakwater-deadline-ms', dl]),
          ]);
          expect(base).toEqual(pairs.flat()); // not mutated
        },
      ),
      { seed: 11, numRuns: 1000 },
    );
  });

  it('rawHeader finds a header case-insensitively in raw response headers', () => {
    const raw = [
      Buffer.from('Content-Type'),
      Buffer.from('text/plain'),
      Buffer.from('Retry-After'),
      Buffer.from('3'),
    ];
    expect(rawHeader(raw, 'retry-after')).toBe('3');
    expect(rawHeader(raw, 'etag')).toBeUndefined();
  });
});

describe('route patterns', () => {
  const seg = fc.stringMatching(/^[a-z0-9._~-]{1,8}$/);
  it('`:param` matches exactly one segment, `*` any rest; the query is ignored', () => {
    fc.assert(
      fc.property(
        fc.array(seg, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 4 }),
        seg,
        (segs, i, q) => {
          const at = i % segs.length;
          const path = `/${segs.join('/')}`;
          const pattern = `/${segs.map((s, j) => (j === at ? ':p' : s)).join('/')}`;
          const m = compileRoute('r', 'GET', pattern);
          expect(matchRoute(m, 'GET', path)).toBe(true);
          expect(matchRoute(m, 'GET', `${path}?q=${q}`)).toBe(true);
          expect(matchRoute(m, 'POST', path)).toBe(false);
          expect(matchRoute(m, 'GET', `${path}/extra`)).toBe(false);
          const prefix = compileRoute('r', undefined, `/${segs[0]}/*`);
          expect(matchRoute(prefix, 'PUT', `/${segs[0]}/${q}/more`)).toBe(true);
          expect(matchRoute(prefix, 'PUT', `/${segs[0]}x/${q}`)).toBe(false);
        },
      ),
      { seed: 3, numRuns: 1000 },
    );
  });

  it('regular-expression characters in literal segments are literal', () => {
    const m = compileRoute('r', undefined, '/v1.0/items(+)');
    expect(matchRoute(m, 'GET', '/v1.0/items(+)')).toBe(true);
    expect(matchRoute(m, 'GET', '/v1x0/items(+)')).toBe(false);
  });
});
