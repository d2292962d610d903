import { DnsSrvRegistry, type Sleep } from '@breakwater/discovery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Recorder } from './helpers.js';
import { findBinary } from './servers/binaries.js';
import { Dnsmasq } from './servers/dnsmasq.js';

describe('DnsSrvRegistry options', () => {
  it('validates at construction, naming the option', () => {
    expect(() => new DnsSrvRegistry({ servers: ['dns.example:53'] })).toThrow(/servers/);
    expect(() => new DnsSrvRegistry({ servers: [] })).toThrow(/servers/);
    expect(() => new DnsSrvRegistry({ minTtlMs: 0 })).toThrow(/minTtlMs must be a positive number, got 0/);
    expect(() => new DnsSrvRegistry({ minTtlMs: 5_000, maxTtlMs: 1_000 })).toThrow(/maxTtlMs/);
    expect(() => new DnsSrvRegistry({ tries: 0 })).toThrow(RangeError);
    expect(() => new DnsSrvRegistry({ family: 5 as 4 })).toThrow(/family/);
    expect(() => new DnsSrvRegistry({ backoff: { multiplier: 0.5 } })).toThrow(/backoff.multiplier/);
    expect(() => new DnsSrvRegistry({ servers: ['127.0.0.1:5353', '[::1]:53', '10.0.0.1'] })).not.toThrow();
  });
});

describe('test servers', () => {
  it('a missing server binary fails (never skips) with what to install', () => {
    expect(() => findBinary('bw-no-such-dns-server', 'dnsmasq-base')).toThrow(
      /apt-get install dnsmasq-base etcd-server/,
    );
  });
});

describe('DnsSrvRegistry refresh schedule (injected sleep, real dnsmasq)', () => {
  let server: Dnsmasq;
  beforeAll(async () => {
    server = await Dnsmasq.start({
      ttl: 7,
      srv: [{ name: '_x._tcp.s.cluster.local', target: 'h.cluster.local', port: 80 }],
      hosts: { 'h.cluster.local': ['10.1.1.1'] },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function delays(min: number, max: number, service = 's'): Promise<number[]> {
    const seen: number[] = [];
    let release: (() => void) | undefined;
    const gate = new Promise<void>((r) => (release = r));
    // Records each requested delay; the second wait parks until the test ends.
    const sleep: Sleep = async (ms, signal) => {
      seen.push(ms);
      if (seen.length >= 2) {
        release?.();
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      }
    };
    await using reg = new DnsSrvRegistry({
      servers: [server.address],
      srvName: (s) => `_x._tcp.${s}.cluster.local`,
      minTtlMs: min,
      maxTtlMs: max,
      timeoutMs: 200,
      tries: 1,
      backoff: { initialMs: 1_000, maxMs: 1_000 },
      random: () => 0.5,
      sleep,
    });
    const rec = new Recorder(reg, service);
    await gate;
    rec.dispose();
    return seen;
  }

  it('sleeps for the TTL of the answer, clamped to [minTtlMs, maxTtlMs]', async () => {
    expect(await delays(1_000, 60_000)).toEqual([7_000, 7_000]);
    expect(await delays(1_000, 2_000)).toEqual([2_000, 2_000]);
    expect(await delays(10_000, 60_000)).toEqual([10_000, 10_000]);
    // NXDOMAIN: no TTL known → minTtlMs.
    expect(await delays(1_500, 60_000, 'missing')).toEqual([1_500, 1_500]);
  });

  it('backs off with jitter after failures', async () => {
    await server.kill();
    try {
      // random 0.5 × min(max 1000, initial 1000 × 2^(n-1)) = 500 for every attempt.
      expect(await delays(1_000, 60_000)).toEqual([500, 500]);
    } finally {
      await server.restart();
    }
  });
});
