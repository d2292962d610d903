import {
  createEndpoint,
  isInvalidConfigError,
  parseEndpointString,
  parseStaticJson,
  parseStaticString,
} from '@breakwater/discovery';
import { describe, expect, it } from 'vitest';

describe('parseStaticString', () => {
  it('parses services, IPv4, IPv6 and options', () => {
    const m = parseStaticString(
      ' catalog = 127.0.0.1:7001, 127.0.0.1:7002 ; pricing=[::1]:80?weight=2&zone=eu-1a&id=p1;empty=',
    );
    expect([...m.keys()]).toEqual(['catalog', 'pricing', 'empty']);
    expect(m.get('catalog')!.map((e) => e.id)).toEqual(['127.0.0.1:7001', '127.0.0.1:7002']);
    expect(m.get('pricing')).toEqual([{ id: 'p1', host: '::1', port: 80, weight: 2, zone: 'eu-1a' }]);
    expect(m.get('empty')).toEqual([]);
    expect(Object.isFrozen(m.get('catalog'))).toBe(true);
  });

  it('gives IPv6 endpoints a bracketed default id', () => {
    expect(parseEndpointString('[fe80::1]:7001').id).toBe('[fe80::1]:7001');
  });

  it.each([
    'catalog',
    'catalog=127.0.0.1',
    'catalog=::1:80',
    'catalog=[::1]80',
    'catalog=host:99999',
    'catalog=host:80?weight=-1',
    'catalog=host:80?colour=red',
    'bad name=host:80',
    'a=h:1;a=h:2',
  ])('rejects %s with InvalidConfigError', (text) => {
    expect(() => parseStaticString(text)).toThrow(expect.toSatisfy(isInvalidConfigError));
  });
});

describe('parseStaticJson', () => {
  it('accepts objects and host:port strings', () => {
    const m = parseStaticJson(
      JSON.stringify({
        services: {
          api: [
            { host: '10.0.0.1', port: 80, id: 'a', weight: 3, zone: 'z', tags: ['t'], meta: { k: 'v' } },
            '10.0.0.2:80',
          ],
        },
      }),
    );
    expect(m.get('api')!.map((e) => e.id)).toEqual(['10.0.0.2:80', 'a']);
  });

  it('keeps __proto__ and constructor meta keys as plain data on a null-prototype object', () => {
    const m = parseStaticJson(
      '{"services":{"api":[{"host":"h","port":1,"meta":{"__proto__":"p","constructor":"c"}}]}}',
    );
    const meta = m.get('api')![0]!.meta!;
    expect(Object.getPrototypeOf(meta)).toBeNull();
    expect(Object.getOwnPropertyDescriptor(meta, '__proto__')?.value).toBe('p');
    expect(meta.constructor).toBe('c');
    // An object-valued __proto__ (a pollution attempt) is rejected, not merged.
    expect(() =>
      parseStaticJson('{"services":{"api":[{"host":"h","port":1,"meta":{"__proto__":{"polluted":"yes"}}}]}}'),
    ).toThrow(expect.toSatisfy(isInvalidConfigError));
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it.each([
    ['not JSON', '{'],
    ['no services', '{}'],
    ['services not an object', '{"services":[]}'],
    ['list not an array', '{"services":{"a":{}}}'],
    ['unknown field', '{"services":{"a":[{"host":"h","port":1,"colour":"red"}]}}'],
    ['bad port', '{"services":{"a":[{"host":"h","port":0}]}}'],
    ['bad tags', '{"services":{"a":[{"host":"h","port":1,"tags":"x"}]}}'],
  ])('rejects %s', (_, text) => {
    expect(() => parseStaticJson(text)).toThrow(expect.toSatisfy(isInvalidConfigError));
  });
});

describe('createEndpoint', () => {
  it('freezes the endpoint, its tags and a null-prototype meta with hostile keys as data', () => {
    const meta = JSON.parse('{"__proto__":"p","constructor":"c","zone":"a"}') as Record<string, string>;
    const e = createEndpoint({ host: 'h', port: 1, tags: ['x'], meta });
    expect(Object.isFrozen(e) && Object.isFrozen(e.tags) && Object.isFrozen(e.meta)).toBe(true);
    expect(Object.getPrototypeOf(e.meta)).toBeNull();
    expect(Object.keys(e.meta!)).toEqual(['__proto__', 'constructor', 'zone']);
    expect(Object.getOwnPropertyDescriptor(e.meta, '__proto__')?.value).toBe('p');
    expect(({} as { p?: unknown }).p).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'p')).toBe(false);
  });

  it('validates fields, naming them', () => {
    expect(() => createEndpoint({ host: '', port: 1 })).toThrow(/host/);
    expect(() => createEndpoint({ host: 'h', port: 1.5 })).toThrow(/port/);
    expect(() => createEndpoint({ host: 'h', port: 1, weight: Number.NaN })).toThrow(/weight/);
    expect(() => createEndpoint({ host: 'h', port: 1, meta: { a: 1 } })).toThrow(/meta\.a/);
  });
});
