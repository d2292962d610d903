import {
  formatTraceparent,
  formatTracestate,
  isValidTracestateKey,
  isValidTracestateValue,
  MAX_MEMBERS,
  parseTraceparent,
  parseTracestate,
  TraceState,
} from '@breakwater/tracing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const params = { seed: 20261126, numRuns: 1000 };

const hexChar = fc.constantFrom(...'0123456789abcdef');
const hex = (n: number) => fc.string({ unit: hexChar, minLength: n, maxLength: n });
const traceId = hex(32).filter((s) => !/^0+$/.test(s));
const spanId = hex(16).filter((s) => !/^0+$/.test(s));
const traceParent = fc.record({
  version: fc.constant(0),
  traceId,
  parentId: spanId,
  traceFlags: fc.integer({ min: 0, max: 255 }),
});

const lc = 'abcdefghijklmnopqrstuvwxyz';
const keyChars = `${lc}0123456789_-*/`;
const simpleKey = fc
  .tuple(fc.constantFrom(...lc), fc.string({ unit: fc.constantFrom(...keyChars), maxLength: 20 }))
  .map(([a, b]) => a + b);
const tenantKey = fc
  .tuple(
    fc.constantFrom(...`${lc}0123456789`),
    fc.string({ unit: fc.constantFrom(...keyChars), maxLength: 10 }),
    fc.constantFrom(...lc),
    fc.string({ unit: fc.constantFrom(...keyChars), maxLength: 13 }),
  )
  .map(([a, b, c, d]) => `${a}${b}@${c}${d}`);
const key = fc.oneof(simpleKey, tenantKey);
const valueChar = fc.integer({ min: 0x20, max: 0x7e }).filter((c) => c !== 0x2c && c !== 0x3d);
const nblkChar = valueChar.filter((c) => c !== 0x20);
const value = fc
  .tuple(fc.array(valueChar, { maxLength: 40 }), nblkChar)
  .map(([cs, last]) => String.fromCharCode(...cs, last));
const members = fc.uniqueArray(fc.tuple(key, value), { selector: ([k]) => k, maxLength: MAX_MEMBERS });

describe('traceparent properties', () => {
  it('format∘parse is the identity on valid version-00 values', () => {
    fc.assert(
      fc.property(traceParent, (tp) => {
        const s = formatTraceparent(tp);
        expect(s).toHaveLength(55);
        expect(formatTraceparent(parseTraceparent(s)!)).toBe(s);
        expect(parseTraceparent(s)).toEqual(tp);
      }),
      params,
    );
  });

  it('never throws on arbitrary strings, and anything it accepts re-formats to a valid value', () => {
    const near = fc.tuple(traceParent, fc.nat(60), fc.string({ maxLength: 3 })).map(([tp, at, junk]) => {
      const s = formatTraceparent(tp);
      return s.slice(0, at) + junk + s.slice(at + junk.length);
    });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), near), (s) => {
        const tp = parseTraceparent(s);
        if (tp !== null) {
          const again = parseTraceparent(formatTraceparent(tp));
          expect(again).toEqual({ ...tp, version: 0 });
        }
      }),
      params,
    );
  });
});

describe('tracestate properties', () => {
  it('parse∘serialize is the identity on valid lists', () => {
    fc.assert(
      fc.property(members, (ms) => {
        const header = ms.map(([k, v]) => `${k}=${v}`).join(',');
        const parsed = parseTracestate(header);
        expect(parsed).not.toBeNull();
        expect(parsed!.entries()).toEqual(ms);
        expect(parsed!.serialize()).toBe(header);
      }),
      params,
    );
  });

  it('splitting the header into lines and adding OWS and empty members does not change the result', () => {
    fc.assert(
      fc.property(members, fc.nat(), fc.nat(), (ms, cut, pad) => {
        const parts = ms.map(([k, v]) => `${' \t'.slice(0, pad % 3)}${k}=${v}${pad % 2 ? ' ' : ''}`);
        const at = parts.length === 0 ? 0 : cut % parts.length;
        const lines = [parts.slice(0, at).join(','), `${parts.slice(at).join(' ,')},,`];
        expect(parseTracestate(lines)?.entries()).toEqual(ms);
      }),
      params,
    );
  });

  it('never throws on arbitrary strings or lines', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 4 })), (v) => {
        const s = parseTracestate(v);
        if (s !== null) {
          expect(s.size).toBeLessThanOrEqual(MAX_MEMBERS);
          expect(parseTracestate(s.serialize())?.entries()).toEqual(s.entries());
        }
      }),
      params,
    );
  });

  type Op =
    | { op: 'set'; key: string; value: string }
    | { op: 'unset'; key: string }
    | { op: 'truncate'; max: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), key, value }) },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('set' as const),
        key: fc.string({ maxLength: 5 }),
        value: fc.string({ maxLength: 5 }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('unset' as const), key }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), max: fc.nat(600) }) },
  );

  it('mutations keep the limits and match a reference list model', () => {
    fc.assert(
      fc.property(members, fc.array(op, { maxLength: 60 }), (initial, ops) => {
        let state = TraceState.from(initial)!;
        let model: Array<[string, string]> = initial.map(([k, v]) => [k, v]);
        for (const o of ops) {
          if (o.op === 'set') {
            const next = state.set(o.key, o.value);
            if (isValidTracestateKey(o.key) && isValidTracestateValue(o.value)) {
              model = [[o.key, o.value], ...model.filter(([k]) => k !== o.key)].slice(
                0,
                MAX_MEMBERS,
              ) as Array<[string, string]>;
            } else {
              expect(next).toBe(state);
            }
            state = next;
          } else if (o.op === 'unset') {
            state = state.unset(o.key);
            model = model.filter(([k]) => k !== o.key);
          } else {
            state = state.truncate(o.max);
            const s = state.serialize();
            expect(s.length).toBeLessThanOrEqual(o.max);
            // Truncation removes whole entries and keeps the order of the rest.
            const keys = state.entries().map(([k]) => k);
            expect(keys).toEqual(model.map(([k]) => k).filter((k) => keys.includes(k)));
            model = state.entries();
          }
          expect(state.entries()).toEqual(model);
          expect(state.size).toBeLessThanOrEqual(MAX_MEMBERS);
          expect(new Set(model.map(([k]) => k)).size).toBe(model.length);
          expect(parseTracestate(state.serialize())?.entries()).toEqual(model);
          expect(formatTracestate(state).length).toBeLessThanOrEqual(512);
        }
      }),
      params,
    );
  });
});
