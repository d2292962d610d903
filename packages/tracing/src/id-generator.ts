// Trace and span ids from a pooled buffer of crypto-random bytes. Calling randomBytes() per id
// costs microseconds (a syscall-sized call and a Buffer each time); here one randomFillSync call
// refills a pool, which is hex-encoded once, and each id is a slice of that string. V8 represents
// such a slice as a reference into the pool string, so an id costs one small object; the price is
// that a retained id keeps its pool string (2 × poolSize bytes) alive.
import { randomFillSync } from 'node:crypto';

/** Fills the given bytes with random data (default: crypto.randomFillSync). */
export type FillRandom = (bytes: Uint8Array) => void;

export interface IdGeneratorOptions {
  /** Source of random bytes (default `crypto.randomFillSync`); inject for deterministic tests. */
  fill?: FillRandom;
  /** Bytes drawn per refill (default 4096, a multiple of 16, at least 16). */
  poolSize?: number;
}

/** Generates W3C ids. Also satisfies @opentelemetry/sdk-trace's `IdGenerator`. */
export interface IdGenerator {
  /** 32 lowercase hex characters, all random, never all zero. */
  traceId(): string;
  /** 16 lowercase hex characters, all random, never all zero. */
  spanId(): string;
  generateTraceId(): string;
  generateSpanId(): string;
}

const ZERO_TRACE_ID = '00000000000000000000000000000000';
const ZERO_SPAN_ID = '0000000000000000';

const defaults = { fill: randomFillSync as FillRandom, poolSize: 4096 };

class PooledIdGenerator implements IdGenerator {
  readonly #fill: FillRandom;
  readonly #bytes: Uint8Array;
  #hex = '';
  #offset = 0;

  constructor(fill: FillRandom, poolSize: number) {
    this.#fill = fill;
    this.#bytes = new Uint8Array(poolSize);
    this.#offset = poolSize * 2; // empty: the first call refills
  }

  #take(chars: number): string {
    if (this.#offset + chars > this.#hex.length || this.#hex.length === 0) this.#refill();
    const at = this.#offset;
    this.#offset = at + chars;
    return this.#hex.slice(at, at + chars);
  }

  #refill(): void {
    this.#fill(this.#bytes);
    this.#hex = Buffer.from(this.#bytes.buffer, this.#bytes.byteOffset, this.#bytes.byteLength).toString(
      'hex',
    );
    this.#offset = 0;
  }

  #retry(chars: number, zero: string): string {
    // Bounded, so a broken injected `fill` (all zeros) fails loudly instead of spinning.
    for (let tries = 0; tries < (this.#bytes.length * 4) / chars; tries++) {
      const id = this.#take(chars);
      if (id !== zero) return id;
    }
    throw new Error('fill produced only zero bytes: cannot generate a valid id');
  }

  traceId(): string {
    // All-zero ids are invalid; with real randomness the retry runs with probability 2^-128.
    const id = this.#take(32);
    return id === ZERO_TRACE_ID ? this.#retry(32, ZERO_TRACE_ID) : id;
  }

  spanId(): string {
    const id = this.#take(16);
    return id === ZERO_SPAN_ID ? this.#retry(16, ZERO_SPAN_ID) : id;
  }

  generateTraceId(): string {
    return this.traceId();
  }

  generateSpanId(): string {
    return this.spanId();
  }
}

/** Creates an id generator with its own pool. */
export function createIdGenerator(options: IdGeneratorOptions = {}): IdGenerator {
  const o = { ...defaults, ...options };
  if (typeof o.fill !== 'function') throw new TypeError(`fill must be a function, got ${typeof o.fill}`);
  if (!Number.isInteger(o.poolSize) || o.poolSize < 16 || o.poolSize % 16 !== 0) {
    throw new RangeError(`poolSize must be a positive multiple of 16, got ${o.poolSize}`);
  }
  return new PooledIdGenerator(o.fill, o.poolSize);
}

/** The process-wide default generator. */
export const defaultIdGenerator: IdGenerator = createIdGenerator();
