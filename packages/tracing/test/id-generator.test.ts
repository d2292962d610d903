import { createIdGenerator, defaultIdGenerator, isValidSpanId, isValidTraceId } from '@breakwater/tracing';
import { describe, expect, it } from 'vitest';

/** A deterministic byte source: a counter, so consecutive pools differ. */
function counterFill(): { fill: (b: Uint8Array) => void; calls: () => number } {
  let n = 0;
  let calls = 0;
  return {
    fill: (b) => {
      calls++;
      for (let i = 0; i < b.length; i++) b[i] = n++ & 0xff;
    },
    calls: () => calls,
  };
}

describe('id generation', () => {
  it('produces valid, distinct ids from the default crypto pool', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const t = defaultIdGenerator.traceId();
      const s = defaultIdGenerator.spanId();
      expect(isValidTraceId(t)).toBe(true);
      expect(isValidSpanId(s)).toBe(true);
      seen.add(t);
      seen.add(s);
    }
    expect(seen.size).toBe(10_000);
  });

  it('draws from a pool: one fill per poolSize bytes, ids are the pool bytes in hex', () => {
    const src = counterFill();
    const ids = createIdGenerator({ fill: src.fill, poolSize: 32 });
    expect(ids.spanId()).toBe('0001020304050607');
    expect(ids.spanId()).toBe('08090a0b0c0d0e0f');
    expect(ids.traceId()).toBe('101112131415161718191a1b1c1d1e1f');
    expect(src.calls()).toBe(1);
    expect(ids.spanId()).toBe('2021222324252627');
    expect(src.calls()).toBe(2);
    expect(ids.generateTraceId()).toHaveLength(32); // the OpenTelemetry IdGenerator shape
    expect(ids.generateSpanId()).toHaveLength(16);
  });

  it('skips all-zero ids', () => {
    let call = 0;
    const ids = createIdGenerator({
      poolSize: 16,
      fill: (b) => {
        b.fill(call++ === 0 ? 0 : 0xab);
      },
    });
    expect(ids.spanId()).toBe('abababababababab');
  });

  it('fails loudly when an injected source only produces zeros', () => {
    const ids = createIdGenerator({ poolSize: 16, fill: (b) => b.fill(0) });
    expect(() => ids.traceId()).toThrow(/only zero bytes/);
  });

  it('validates options, naming them', () => {
    expect(() => createIdGenerator({ poolSize: 10 })).toThrow(RangeError);
    expect(() => createIdGenerator({ poolSize: 10 })).toThrow(/poolSize/);
    expect(() => createIdGenerator({ fill: 1 as unknown as () => void })).toThrow(/fill must be a function/);
  });
});
