import type { Socket } from 'node:net';
import { applies, type ProxyFaults } from './proxy-faults.js';
import type { Random } from './random.js';

/** Bytes queued in a pipe before the source is paused (backpressure instead of unbounded memory). */
const HIGH_WATER = 1 << 20;

/** Bandwidth-limited data is released in slices of ~50 ms worth so the rate is smooth. */
const SLICE_SECONDS = 0.05;

interface Item {
  readonly at: number;
  /** null marks the end of stream (FIN). */
  readonly chunk: Buffer | null;
}

export interface PipeHost {
  readonly faults: Readonly<ProxyFaults>;
  readonly random: Random;
  count(way: 'upstream' | 'downstream', bytes: number): void;
}

/**
 * One direction of a proxied connection. Every chunk gets a release time (latency, jitter,
 * bandwidth); release times never decrease, so byte order is kept. One timer per pipe at most.
 */
export class Pipe {
  readonly #host: PipeHost;
  readonly #way: 'upstream' | 'downstream';
  readonly #src: Socket;
  readonly #dst: Socket;
  #queue: Item[] = [];
  #head = 0;
  #queued = 0;
  #lastAt = 0;
  #bandwidthFreeAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #stopped = false;

  constructor(host: PipeHost, way: 'upstream' | 'downstream', src: Socket, dst: Socket) {
    this.#host = host;
    this.#way = way;
    this.#src = src;
    this.#dst = dst;
    src.on('data', (chunk: Buffer) => this.#onData(chunk));
    src.on('end', () => this.#onEnd());
    dst.on('drain', () => this.refresh());
  }

  #blackholed(): boolean {
    const b = this.#host.faults.blackhole;
    return typeof b === 'object' && applies(b.direction, this.#way);
  }

  #latency(): number {
    const l = this.#host.faults.latency;
    if (l === undefined || !applies(l.direction, this.#way)) return 0;
    const jitter = l.jitterMs ?? 0;
    const ms = jitter === 0 ? l.ms : l.ms + (this.#host.random() * 2 - 1) * jitter;
    return Math.max(ms, 0);
  }

  #onData(chunk: Buffer): void {
    this.#host.count(this.#way, chunk.length);
    const f = this.#host.faults;
    const now = performance.now();
    const bw =
      f.bandwidth !== undefined && applies(f.bandwidth.direction, this.#way) ? f.bandwidth : undefined;
    const delay = this.#latency();
    if (delay === 0 && bw === undefined && this.#head === this.#queue.length && !this.#blackholed()) {
      // Clean pipe: forward at once.
      if (!this.#dst.write(chunk)) this.#src.pause();
      return;
    }
    let at = Math.max(now + delay, this.#lastAt);
    if (bw === undefined) {
      this.#push(at, chunk);
    } else {
      const rate = bw.bytesPerSecond;
      const slice = Math.max(1, Math.ceil(rate * SLICE_SECONDS));
      for (let off = 0; off < chunk.length; off += slice) {
        const part = chunk.subarray(off, off + slice);
        // A slice is released once it has been "transmitted" at `rate`.
        const start = Math.max(at, this.#bandwidthFreeAt);
        this.#bandwidthFreeAt = start + (part.length * 1000) / rate;
        at = this.#bandwidthFreeAt;
        this.#push(at, part);
      }
    }
    this.refresh();
  }

  #onEnd(): void {
    const at =
      Math.max(performance.now() + this.#latency(), this.#lastAt) + (this.#host.faults.slowCloseMs ?? 0);
    this.#push(at, null);
    this.refresh();
  }

  #push(at: number, chunk: Buffer | null): void {
    this.#lastAt = at;
    this.#queue.push({ at, chunk });
    if (chunk !== null) this.#queued += chunk.length;
  }

  /** Re-evaluates pausing and the release timer (after a fault change, a drain or new data). */
  refresh(): void {
    if (this.#stopped) return;
    const hold = this.#blackholed();
    if (hold || this.#queued > HIGH_WATER || this.#dst.writableNeedDrain) this.#src.pause();
    else this.#src.resume();
    if (hold) {
      this.#clearTimer();
      return;
    }
    const next = this.#queue[this.#head];
    if (next === undefined) return;
    if (next.at <= performance.now()) {
      this.#flush();
      return;
    }
    if (this.#timer !== undefined && this.#timerAt <= next.at) return;
    this.#clearTimer();
    this.#timerAt = next.at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#flush();
      },
      Math.max(1, Math.ceil(next.at - performance.now())),
    );
  }

  #flush(): void {
    if (this.#stopped || this.#blackholed()) return;
    const now = performance.now();
    let item = this.#queue[this.#head];
    while (item !== undefined && item.at <= now) {
      this.#head++;
      if (item.chunk === null) {
        this.#dst.end();
      } else {
        this.#queued -= item.chunk.length;
        this.#dst.write(item.chunk);
      }
      item = this.#queue[this.#head];
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
    this.refresh();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  /** Drops anything queued and the timer (the connection is gone). */
  stop(): void {
    this.#stopped = true;
    this.#clearTimer();
    this.#queue = [];
    this.#head = 0;
    this.#queued = 0;
  }
}
