import {
  formatTracestate,
  isValidTracestateKey,
  isValidTracestateValue,
  parseTracestate,
  TraceState,
} from '@breakwater/tracing';
import { describe, expect, it } from 'vitest';

const entries = (v: string | string[]) => parseTracestate(v)?.entries();

describe('parseTracestate: valid headers', () => {
  it('parses the spec examples, keeping order', () => {
    expect(entries('rojo=00f067aa0ba902b7')).toEqual([['rojo', '00f067aa0ba902b7']]);
    expect(entries('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')).toEqual([
      ['rojo', '00f067aa0ba902b7'],
      ['congo', 't61rcWkgMzE'],
    ]);
  });

  it('combines several header lines in order (harness: multiple_headers_different_keys)', () => {
    expect(parseTracestate(['foo=1,bar=2', 'rojo=1,congo=2', 'baz=3'])?.serialize()).toBe(
      'foo=1,bar=2,rojo=1,congo=2,baz=3',
    );
  });

  it('accepts empty headers and empty / whitespace-only members (harness: tracestate_empty_header)', () => {
    expect(parseTracestate('')?.size).toBe(0);
    expect(entries(['foo=1', ''])).toEqual([['foo', '1']]);
    expect(entries(['', 'foo=1'])).toEqual([['foo', '1']]);
    expect(entries(',,foo=1, ,\t,bar=2,')).toEqual([
      ['foo', '1'],
      ['bar', '2'],
    ]);
    expect(parseTracestate(' , \t ')?.size).toBe(0);
  });

  it('ignores spaces and tabs around members (harness: tracestate_ows_handling)', () => {
    const expected = [
      ['foo', '1'],
      ['bar', '2'],
      ['baz', '3'],
    ];
    expect(entries('foo=1 \t , \t bar=2, \t baz=3')).toEqual(expected);
    expect(entries('foo=1\t \t,\t \tbar=2,\t \tbaz=3')).toEqual(expected);
    for (const v of [' foo=1', '\tfoo=1', 'foo=1 ', 'foo=1\t', '\t foo=1 \t']) {
      expect(entries(v), JSON.stringify(v)).toEqual([['foo', '1']]);
    }
  });

  it('accepts every allowed character (harness: tracestate_all_allowed_characters)', () => {
    const key = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
    const tenantKey = `${key}@a-z0-9_-*/`;
    let value = '';
    for (let c = 0x20; c <= 0x7e; c++) if (c !== 0x2c && c !== 0x3d) value += String.fromCharCode(c);
    expect(parseTracestate(`${key}=${value}`)?.get(key)).toBe(value);
    expect(parseTracestate(`${tenantKey}=${value}`)?.get(tenantKey)).toBe(value);
  });

  it('keeps leading spaces of a value (they are part of it)', () => {
    expect(parseTracestate('foo=  x')?.get('foo')).toBe('  x');
  });

  it('accepts exactly 32 members and key-length limits (harness: member_count_limit, key_length_limit)', () => {
    const members = Array.from({ length: 32 }, (_, i) => `bar${String(i + 1).padStart(2, '0')}=${i}`);
    expect(parseTracestate(members.join(','))?.size).toBe(32);
    expect(parseTracestate(['foo=1', `${'z'.repeat(256)}=1`])?.get('foo')).toBe('1');
    expect(parseTracestate(['foo=1', `${'t'.repeat(241)}@${'v'.repeat(14)}=1`])?.get('foo')).toBe('1');
    expect(parseTracestate(`foo=${'v'.repeat(256)}`)?.get('foo')).toHaveLength(256);
  });

  it('accepts a tenant id starting with a digit', () => {
    expect(parseTracestate('1tenant@vendor=x')?.get('1tenant@vendor')).toBe('x');
  });
});

describe('parseTracestate: invalid headers are dropped whole (null)', () => {
  const invalid: Array<[string, string | string[]]> = [
    ['duplicate keys, same value', 'foo=1,foo=1'],
    ['duplicate keys, different values', 'foo=1,foo=2'],
    ['duplicate keys across header lines', ['foo=1', 'foo=2']],
    ['33 members', Array.from({ length: 33 }, (_, i) => `bar${i}=${i}`).join(',')],
    ['33 members across lines', ['a=1', Array.from({ length: 32 }, (_, i) => `bar${i}=${i}`).join(',')]],
    ['space inside key', 'foo =1'],
    ['uppercase key', 'FOO=1'],
    ['dot in key', 'foo.bar=1'],
    ['simple key starting with a digit', '1foo=1'],
    ['empty tenant', '@foo=1,bar=2'],
    ['empty system', 'foo@=1,bar=2'],
    ['double @', 'foo@@bar=1,bar=2'],
    ['two @', 'foo@bar@baz=1,bar=2'],
    ['system starting with a digit', 'foo@1bar=1'],
    ['key of 257 chars', ['foo=1', `${'z'.repeat(257)}=1`]],
    ['tenant of 242 chars', ['foo=1', `${'t'.repeat(242)}@v=1`]],
    ['system of 15 chars', ['foo=1', `t@${'v'.repeat(15)}=1`]],
    ['= in value', 'foo=bar=baz'],
    ['empty value', 'foo=,bar=3'],
    ['value of 257 chars', `foo=${'v'.repeat(257)}`],
    ['tab inside value', 'foo=a\tb'],
    ['non-ASCII value', 'foo=é'],
    ['no =', 'foo'],
    ['empty key', '=1'],
  ];
  for (const [why, value] of invalid) {
    it(why, () => {
      expect(parseTracestate(value)).toBeNull();
    });
  }

  it('never throws on non-string input', () => {
    expect(parseTracestate(undefined)?.size).toBe(0);
    expect(parseTracestate([1] as unknown as string[])).toBeNull();
    expect(parseTracestate({} as unknown as string)).toBeNull();
  });
});

describe('TraceState mutations', () => {
  const base = parseTracestate('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')!;

  it('moves an updated key to the left, as in the spec example', () => {
    expect(base.set('congo', 'ucfJifl5GOE').serialize()).toBe('congo=ucfJifl5GOE,rojo=00f067aa0ba902b7');
  });

  it('adds a new key on the left', () => {
    expect(base.set('new', 'v').serialize()).toBe('new=v,rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  });

  it('is immutable', () => {
    base.set('x', 'y');
    base.unset('rojo');
    expect(base.serialize()).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  });

  it('deletes a key', () => {
    expect(base.unset('rojo').serialize()).toBe('congo=t61rcWkgMzE');
    expect(base.unset('missing')).toBe(base);
  });

  it('ignores invalid keys and values instead of throwing', () => {
    expect(base.set('BAD', 'v')).toBe(base);
    expect(base.set('ok', 'a,b')).toBe(base);
    expect(base.set('ok', 'trailing ')).toBe(base);
  });

  it('drops the right-most member when a 33rd is added', () => {
    let s = TraceState.EMPTY;
    for (let i = 0; i < 32; i++) s = s.set(`k${i}`, `${i}`);
    const t = s.set('new', 'v');
    expect(t.size).toBe(32);
    expect(t.get('new')).toBe('v');
    expect(t.get('k0')).toBeUndefined(); // k0 was set first, so it is right-most
    expect(t.get('k31')).toBe('31');
  });

  it('builds from entries, rejecting invalid lists', () => {
    expect(TraceState.from([['a', '1']])?.serialize()).toBe('a=1');
    expect(
      TraceState.from([
        ['a', '1'],
        ['a', '2'],
      ]),
    ).toBeNull();
    expect(TraceState.from([['A', '1']])).toBeNull();
  });
});

describe('truncation', () => {
  it('keeps a state within the limit unchanged', () => {
    const s = parseTracestate('a=1,b=2')!;
    expect(s.truncate(7)).toBe(s);
    expect(formatTracestate(s, 512)).toBe('a=1,b=2');
  });

  it('removes entries longer than 128 characters first, then from the right', () => {
    const big = `big=${'x'.repeat(200)}`; // 204 chars
    const s = parseTracestate(`a=${'1'.repeat(100)},${big},b=${'2'.repeat(100)},c=${'3'.repeat(100)}`)!;
    // 102 + 204 + 102 + 102 + 3 commas = 513 > 512: the big entry goes first.
    expect(
      s
        .truncate(512)
        .entries()
        .map(([k]) => k),
    ).toEqual(['a', 'b', 'c']);
    // With a smaller limit, then from the right.
    expect(
      s
        .truncate(250)
        .entries()
        .map(([k]) => k),
    ).toEqual(['a', 'b']);
    expect(
      s
        .truncate(102)
        .entries()
        .map(([k]) => k),
    ).toEqual(['a']);
    expect(s.truncate(10).size).toBe(0);
  });

  it('only removes as many large entries as needed, right-most first', () => {
    const l1 = `l1=${'x'.repeat(200)}`;
    const l2 = `l2=${'y'.repeat(200)}`;
    const s = parseTracestate(`${l1},a=1,${l2}`)!;
    expect(
      s
        .truncate(300)
        .entries()
        .map(([k]) => k),
    ).toEqual(['l1', 'a']);
  });

  it('formats an empty or missing state as empty', () => {
    expect(formatTracestate(undefined)).toBe('');
    expect(formatTracestate(TraceState.EMPTY)).toBe('');
  });

  it('re-validates a foreign TraceState implementation', () => {
    const foreign = {
      serialize: () => 'a=1,BAD=2',
      get: () => undefined,
      set: () => foreign,
      unset: () => foreign,
    };
    expect(formatTracestate(foreign)).toBe('');
    const ok = { ...foreign, serialize: () => 'a=1,b=2' };
    expect(formatTracestate(ok)).toBe('a=1,b=2');
  });
});

describe('key and value grammar helpers', () => {
  it('match the Level 2 ABNF', () => {
    expect(isValidTracestateKey('vendor')).toBe(true);
    expect(isValidTracestateKey('tenant@vendor')).toBe(true);
    expect(isValidTracestateKey('a*/_-0')).toBe(true);
    expect(isValidTracestateKey('')).toBe(false);
    expect(isValidTracestateKey('a@b@c')).toBe(false);
    expect(isValidTracestateValue(' x')).toBe(true);
    expect(isValidTracestateValue('x ')).toBe(false);
    expect(isValidTracestateValue('')).toBe(false);
  });
});
