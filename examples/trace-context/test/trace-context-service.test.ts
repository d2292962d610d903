import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseTraceparent, parseTracestate } from '@breakwater/tracing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTraceContextService, type TraceContextService } from '../src/service.js';

const TID = '12345678901234567890123456789012';
const TP = `00-${TID}-1234567890123456-01`;

interface Callback {
  path: string;
  rawHeaders: string[];
  body: string;
}

/** Values of a header in raw header lines (case-insensitive). */
function values(raw: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) out.push(raw[i + 1]!);
  return out;
}

let service: TraceContextService;
let receiver: Server;
let receiverPort: number;
let callbacks: Callback[] = [];

beforeAll(async () => {
  service = await startTraceContextService({ port: 0, host: '127.0.0.1' });
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      callbacks.push({ path: req.url ?? '', rawHeaders: req.rawHeaders, body });
      res.end('{}');
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  receiverPort = (receiver.address() as AddressInfo).port;
});

afterAll(async () => {
  await service.close();
  receiver.close();
  receiver.closeAllConnections();
});

beforeEach(() => {
  callbacks = [];
});

/** POSTs instructions to the service with the given raw header lines. */
function post(headers: Array<[string, string]>, body: unknown): Promise<{ status: number; text: string }> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  // Raw header lines (so duplicates are sent as separate lines); node then adds no Host or framing headers itself.
  const raw: string[] = [
    'host',
    `127.0.0.1:${service.port}`,
    'content-type',
    'application/json',
    'content-length',
    String(Buffer.byteLength(text)),
  ];
  for (const [k, v] of headers) raw.push(k, v);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: service.port, path: '/test', method: 'POST', headers: raw },
      (res) => {
        let out = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          out += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: out }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

function calls(n: number, args: unknown[] = []) {
  return Array.from({ length: n }, (_, i) => ({
    url: `http://127.0.0.1:${receiverPort}/callback/${i}`,
    arguments: args,
  }));
}

async function single(
  headers: Array<[string, string]>,
): Promise<{ traceId: string; parentId: string; flags: number; tracestate: string[] }> {
  const res = await post(headers, calls(1));
  expect(res.status).toBe(200);
  expect(callbacks).toHaveLength(1);
  const cb = callbacks[0]!;
  const tps = values(cb.rawHeaders, 'traceparent');
  expect(tps).toHaveLength(1);
  const tp = parseTraceparent(tps[0]);
  expect(tp).not.toBeNull();
  expect(tps[0]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/);
  return {
    traceId: tp!.traceId,
    parentId: tp!.parentId,
    flags: tp!.traceFlags,
    tracestate: values(cb.rawHeaders, 'tracestate'),
  };
}

describe('trace-context example service', () => {
  it('calls each url in order with POST and the JSON arguments, then answers 200', async () => {
    const res = await post(
      [['traceparent', TP]],
      [
        { url: `http://127.0.0.1:${receiverPort}/a`, arguments: [{ x: 1 }] },
        { url: `http://127.0.0.1:${receiverPort}/b`, arguments: [] },
      ],
    );
    expect(res.status).toBe(200);
    expect(callbacks.map((c) => [c.path, c.body])).toEqual([
      ['/a', '[{"x":1}]'],
      ['/b', '[]'],
    ]);
  });

  it('continues the incoming trace with a new parent-id per call (harness: multiple_requests_with_valid_traceparent)', async () => {
    await post([['traceparent', TP]], calls(3));
    const tps = callbacks.map((c) => parseTraceparent(values(c.rawHeaders, 'traceparent')[0])!);
    expect(new Set(tps.map((t) => t.traceId))).toEqual(new Set([TID]));
    expect(new Set(tps.map((t) => t.parentId)).size).toBe(3);
    expect(tps.map((t) => t.parentId)).not.toContain('1234567890123456');
    expect(tps.every((t) => t.traceFlags === 1)).toBe(true);
  });

  it('starts a trace with the random flag when none comes in', async () => {
    await post([], calls(3));
    const tps = callbacks.map((c) => parseTraceparent(values(c.rawHeaders, 'traceparent')[0])!);
    expect(new Set(tps.map((t) => t.traceId)).size).toBe(1);
    expect(new Set(tps.map((t) => t.parentId)).size).toBe(3);
    expect(tps[0]!.traceFlags & 0x02).toBe(0x02);
  });

  it('restarts the trace on duplicate traceparent header lines', async () => {
    const r = await single([
      ['traceparent', `00-12345678901234567890123456789011-1234567890123456-01`],
      ['traceparent', TP],
    ]);
    expect(r.traceId).not.toBe(TID);
    expect(r.traceId).not.toBe('12345678901234567890123456789011');
  });

  it('restarts the trace on invalid traceparent values and drops tracestate', async () => {
    for (const bad of [
      `ff-${TID}-1234567890123456-01`,
      `00-${TID}-1234567890123456-01-what-the-future-will-be-like`,
      `00-00000000000000000000000000000000-1234567890123456-01`,
      `00-${TID}-0000000000000000-01`,
      `00-${TID.toUpperCase().replace(/1/g, 'A')}-1234567890123456-01`,
    ]) {
      callbacks = [];
      const r = await single([
        ['traceparent', bad],
        ['tracestate', 'foo=1'],
      ]);
      expect(r.traceId, bad).not.toBe(TID);
      expect(r.tracestate, bad).toEqual([]);
    }
  });

  it('accepts header names in any case, OWS, and future versions', async () => {
    expect((await single([['TrAcEpArEnT', TP]])).traceId).toBe(TID);
    callbacks = [];
    expect((await single([['traceparent', `\t ${TP} \t`]])).traceId).toBe(TID);
    callbacks = [];
    expect(
      (await single([['traceparent', `cc-${TID}-1234567890123456-01-what-the-future-will-be-like`]])).traceId,
    ).toBe(TID);
  });

  it('combines tracestate lines and forwards them; drops an invalid tracestate whole', async () => {
    const ok = await single([
      ['traceparent', TP],
      ['tracestate', 'foo=1,bar=2'],
      ['tracestate', ''],
      ['tracestate', 'rojo=1,congo=2'],
    ]);
    expect(ok.traceId).toBe(TID);
    expect(parseTracestate(ok.tracestate)?.serialize()).toBe('foo=1,bar=2,rojo=1,congo=2');
    callbacks = [];
    const dup = await single([
      ['traceparent', TP],
      ['tracestate', 'foo=1'],
      ['tracestate', 'foo=2'],
    ]);
    expect(dup.traceId).toBe(TID);
    expect(dup.tracestate).toEqual([]);
    callbacks = [];
    const tooMany = await single([
      ['traceparent', TP],
      ['tracestate', Array.from({ length: 33 }, (_, i) => `bar${i}=${i}`).join(',')],
    ]);
    expect(tooMany.tracestate).toEqual([]);
  });

  it('rejects a body that is not an instruction list', async () => {
    expect((await post([], 'not json')).status).toBe(400);
    expect((await post([], { url: 'x' })).status).toBe(400);
    expect(callbacks).toEqual([]);
  });

  it('validates its port option', async () => {
    await expect(startTraceContextService({ port: -1 })).rejects.toThrow(/port must be/);
  });
});
