// Header hygiene and path splitting, as properties over generated inputs (fast-check, seeded).
import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clampDeadlineHeaders, DEADLINE_AT_HEADER, DEADLINE_HEADER } from '../src/deadline.js';
import { downstreamHeaders, upstreamHeaders, VIA } from '../src/forward-headers.js';
import { forwardedElement, forwardedNode } from '../src/forwarded.js';
import { HOP_BY_HOP } from '../src/hop-by-hop.js';
import { splitServicePath } from '../src/service-path.js';

const RUNS = { seed: 20261126, numRuns: 1_000 } as const;

const tokenChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'.split(''));
const customName = fc
  .string({ unit: tokenChar, minLength: 1, maxLength: 12 })
  .map((s) => `x-${s}`)
  .filter((s) => !s.startsWith('x-forwarded') && !s.startsWith('x-breakwater'));
const hopName = fc.constantFrom(...HOP_BY_HOP, 'proxy-foo', 'Proxy-Bar', 'KEEP-ALIVE', 'Upgrade');
const value = fc.string({ unit: fc.constantFrom(...'abc XYZ=;,/0123'.split('')), maxLength: 20 });

/** A fake IncomingMessage: only what upstreamHeaders reads. */
function fakeRequest(raw: string[], remote = '10.1.2.3'): IncomingMessage {
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!.toLowerCase();
    headers[k] = headers[k] === undefined ? raw[i + 1]! : `${headers[k]}, ${raw[i + 1]}`;
  }
  return { rawHeaders: raw, headers, socket: { remoteAddress: remote } } as unknown as IncomingMessage;
}

const plain = { trustForwarded: false, tracing: true, contentLength: undefined, deadlineAt: undefined };

describe('upstream headers (property)', () => {
  it('drop every hop-by-hop and Connection-listed header, keep the others in order, add forwarding headers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(customName, value), { maxLength: 8 }),
        fc.array(fc.tuple(hopName, value), { maxLength: 4 }),
        fc.subarray(['x-a', 'x-b']),
        fc.array(fc.nat(), { maxLength: 12 }),
        (custom, hop, listed, order) => {
          // Interleave custom and hop-by-hop headers in a generated order; name some in Connection.
          const pairs: [string, string][] = [...custom, ...hop];
          for (let i = pairs.length - 1; i > 0; i--) {
            const j = (order[i] ?? 0) % (i + 1);
            [pairs[i], pairs[j]] = [pairs[j]!, pairs[i]!];
          }
          const raw = pairs.flat();
          if (listed.length > 0) raw.push('Connection', listed.join(', '));
          const out = upstreamHeaders(fakeRequest(raw), plain);
          const names = out.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
          for (const n of names) {
            expect(HOP_BY_HOP.has(n) || n.startsWith('proxy-')).toBe(false);
            expect(listed.includes(n)).toBe(false);
          }
          // Everything before the forwarding headers: the custom ones not listed, in their order.
          const tail = [
            'x-forwarded-for',
            '10.1.2.3',
            'x-forwarded-proto',
            'http',
            'forwarded',
            'for=10.1.2.3;proto=http',
            'via',
            VIA,
          ];
          expect(out.slice(-tail.length)).toEqual(tail);
          const kept = out.slice(0, -tail.length);
          const expected = pairs.filter(([n]) => n.startsWith('x-') && !listed.includes(n)).flat();
          expect(kept).toEqual(expected);
        },
      ),
      RUNS,
    );
  });

  it('never forwards Host, Expect, trace context (with tracing) or the deadline headers', () => {
    const raw = [
      'Host',
      'gw:8000',
      'Expect',
      '100-continue',
      'traceparent',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      'tracestate',
      'a=b',
      DEADLINE_HEADER,
      '100',
      DEADLINE_AT_HEADER,
      '5',
      'Content-Length',
      '3',
    ];
    const names = (o: string[]) => o.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    const traced = names(upstreamHeaders(fakeRequest(raw), plain));
    for (const n of [
      'host',
      'expect',
      'traceparent',
      'tracestate',
      DEADLINE_HEADER,
      DEADLINE_AT_HEADER,
      'content-length',
    ]) {
      expect(traced).not.toContain(n);
    }
    // With tracing off the gateway is transparent to trace context.
    const untraced = names(upstreamHeaders(fakeRequest(raw), { ...plain, tracing: false }));
    expect(untraced).toContain('traceparent');
    expect(untraced).toContain('tracestate');
    // The internal deadline is ours to set, and a streamed body keeps its length.
    const own = upstreamHeaders(fakeRequest(raw), { ...plain, contentLength: '3', deadlineAt: 1234.5 });
    expect(own.slice(-4)).toEqual(['content-length', '3', DEADLINE_AT_HEADER, '1234.5']);
  });
});

describe('downstream headers (property)', () => {
  it('drop hop-by-hop and Connection-listed headers, keep the rest, append Via', () => {
    fc.assert(
      fc.property(
        fc.dictionary(customName, value, { maxKeys: 6 }),
        fc.dictionary(
          hopName.map((n) => n.toLowerCase()),
          value,
          { maxKeys: 4 },
        ),
        fc.option(fc.constantFrom('1.1 lb', '1.0 a, 1.1 b')),
        (custom, hop, via) => {
          const listed = Object.keys(custom).slice(0, 1);
          const input: Record<string, string> = { ...hop, ...custom };
          if (listed.length > 0) input.connection = listed.join(', ');
          if (via !== null) input.via = via;
          const out = downstreamHeaders(input);
          for (const n of Object.keys(out)) {
            expect(HOP_BY_HOP.has(n) || n.startsWith('proxy-') || listed.includes(n)).toBe(false);
          }
          for (const [k, v] of Object.entries(custom)) if (!listed.includes(k)) expect(out[k]).toBe(v);
          expect(out.via).toBe(via === null ? VIA : `${via}, ${VIA}`);
        },
      ),
      RUNS,
    );
  });
});

describe('service paths (property)', () => {
  const segment = fc.string({ unit: fc.constantFrom(...'abc%2F09-._~'.split('')), maxLength: 6 });
  const service = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/);

  it('split /<service>/<rest>?q into the service and the rest, byte for byte', () => {
    fc.assert(
      fc.property(
        service,
        fc.array(segment, { maxLength: 4 }),
        fc.option(fc.string({ unit: fc.constantFrom(...'a=1&?/%'.split('')), maxLength: 10 })),
        (name, segments, query) => {
          const rest = segments.map((s) => `/${s}`).join('');
          const q = query === null ? '' : `?${query}`;
          const split = splitServicePath(`/${name}${rest}${q}`);
          expect(split).toEqual({ service: name, path: `${rest === '' ? '/' : rest}${q}` });
        },
      ),
      RUNS,
    );
  });

  it('reject names that are not lower-case labels', () => {
    for (const t of [
      '/',
      '//x',
      '/Catalog/x',
      '/_gateway/x',
      '/a%2Fb/x',
      '/-a/x',
      `/${'a'.repeat(64)}/x`,
      'x/y',
    ]) {
      expect(splitServicePath(t), t).toBeUndefined();
    }
  });
});

describe('Forwarded (RFC 7239)', () => {
  it('brackets and quotes IPv6, unwraps IPv4-mapped addresses, quotes host:port', () => {
    expect(forwardedNode('::1')).toBe('[::1]');
    expect(forwardedNode('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(forwardedNode(undefined)).toBe('unknown');
    expect(forwardedElement('[2001:db8::1]', 'example.com:8080', 'https')).toBe(
      'for="[2001:db8::1]";host="example.com:8080";proto=https',
    );
    expect(forwardedElement('192.0.2.1', 'example.com', 'http')).toBe(
      'for=192.0.2.1;host=example.com;proto=http',
    );
  });
});

describe('deadline clamp', () => {
  it('lowers the client header to what the inbound deadline leaves, and removes the internal header', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 50_000 }),
        (clientMs, inboundAt, now) => {
          const h = ['a', '1', DEADLINE_AT_HEADER, String(inboundAt), DEADLINE_HEADER, String(clientMs)];
          const out = clampDeadlineHeaders(h, now, true);
          expect(out).toEqual([
            'a',
            '1',
            DEADLINE_HEADER,
            String(Math.min(clientMs, Math.max(0, inboundAt - now))),
          ]);
        },
      ),
      RUNS,
    );
    // No internal header: untouched (same array).
    const h = ['a', '1', DEADLINE_HEADER, '5'];
    expect(clampDeadlineHeaders(h, 0, true)).toBe(h);
    // The client sent none (propagateDeadline off): added only when asked.
    expect(clampDeadlineHeaders([DEADLINE_AT_HEADER, '100'], 40, true)).toEqual([DEADLINE_HEADER, '60']);
    expect(clampDeadlineHeaders([DEADLINE_AT_HEADER, '100'], 40, false)).toEqual([]);
  });
});
