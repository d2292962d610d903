import {
  type BulkheadOptions,
  type ResolvedBulkheadOptions,
  resolveBulkheadOptions,
} from './bulkhead-options.js';
import { BulkheadFullError } from './errors.js';
import { type Executable, invoke, isThenable, noSignalContext, raceAbort } from './execute-context.js';
import { release } from './internal.js';
import type { Permit } from './permit.js';

/** One caller waiting for a slot: a node of the FIFO queue, so removal on abort is O(1). */
interface Waiter {
  resolve: (permit: Permit) => void;
  reject: (reason: unknown) => void;
  deadline: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  prev: Waiter | undefined;
  next: Waiter | undefined;
}

export interface BulkheadStats {
  /** Gauge: permits out and not yet settled. */
  readonly inFlight: number;
  /** Gauge: callers waiting for a slot. */
  readonly queued: number;
  /** Permits handed out (directly or after waiting). */
  readonly admitted: number;
  /** Refused because slots and queue were full, or the bulkhead was closed. */
  readonly rejected: number;
  /** Waits ended by queueTimeoutMs. */
  readonly timedOut: number;
  /** Waits ended by the caller's signal. */
  readonly aborted: number;
}

/** A bulkhead's permit: releases its slot on the first settle, whatever the outcome. */
class BulkheadPermit implements Permit {
  #bulkhead: Bulkhead | undefined;
  constructor(bulkhead: Bulkhead) {
    this.#bulkhead = bulkhead;
  }
  success(): void {
    this.ignore();
  }
  failure(): void {
    this.ignore();
  }
  ignore(): void {
    const b = this.#bulkhead;
    if (b === undefined) return;
    this.#bulkhead = undefined;
    b[release]();
  }
}

/**
 * Limits concurrent calls to `maxConcurrent`, with an optional FIFO queue of `maxQueue` waiters
 * (each waiting at most `queueTimeoutMs`). One timer at most, armed only while someone waits.
 */
export class Bulkhead {
  readonly #o: ResolvedBulkheadOptions;
  #inFlight = 0;
  #queued = 0;
  #head: Waiter | undefined;
  #tail: Waiter | undefined;
  #timer: unknown;
  #timerDeadline = Number.POSITIVE_INFINITY;
  #closed = false;
  #admitted = 0;
  #rejected = 0;
  #timedOut = 0;
  #aborted = 0;
  // `then` callbacks for execute, made once per bulkhead: the slot needs no per-call state.
  readonly #releaseOnValue = (value: unknown): unknown => {
    this[release]();
    return value;
  };
  readonly #releaseOnError = (error: unknown): never => {
    this[release]();
    throw error;
  };

  constructor(options: BulkheadOptions) {
    this.#o = resolveBulkheadOptions(options);
  }

  get maxConcurrent(): number {
    return this.#o.maxConcurrent;
  }
  get maxQueue(): number {
    return this.#o.maxQueue;
  }
  /** Gauge: permits out and not yet settled. */
  get inFlight(): number {
    return this.#inFlight;
  }
  /** Gauge: callers waiting. */
  get queued(): number {
    return this.#queued;
  }
  get closed(): boolean {
    return this.#closed;
  }
  get stats(): BulkheadStats {
    return Object.freeze({
      inFlight: this.#inFlight,
      queued: this.#queued,
      admitted: this.#admitted,
      rejected: this.#rejected,
      timedOut: this.#timedOut,
      aborted: this.#aborted,
    });
  }

  /** A permit if a slot is free and nobody is waiting (FIFO: no overtaking), else undefined. Never waits. */
  tryAcquire(): Permit | undefined {
    if (this.#closed || this.#inFlight >= this.#o.maxConcurrent || this.#head !== undefined) {
      this.#rejected++;
      return undefined;
    }
    this.#inFlight++;
    this.#admitted++;
    return new BulkheadPermit(this);
  }

  /**
   * A permit, waiting in FIFO order if every slot is taken. Rejects with BulkheadFullError when
   * the queue is full, the wait times out or the bulkhead is closed, and with the signal's reason
   * when it aborts (the waiter leaves the queue at once).
   */
  acquire(signal?: AbortSignal): Promise<Permit> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#closed) return Promise.reject(this.#full('closed'));
    if (this.#inFlight < this.#o.maxConcurrent && this.#head === undefined) {
      this.#inFlight++;
      this.#admitted++;
      return Promise.resolve(new BulkheadPermit(this));
    }
    if (this.#queued >= this.#o.maxQueue) return Promise.reject(this.#full('full'));
    return new Promise<Permit>((resolve, reject) => {
      const w: Waiter = {
        resolve,
        reject,
        deadline: this.#o.clock.now() + this.#o.queueTimeoutMs,
        signal,
        onAbort: undefined,
        prev: this.#tail,
        next: undefined,
      };
      if (signal !== undefined) {
        w.onAbort = () => {
          this.#aborted++;
          this.#remove(w);
          reject(signal.reason);
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      if (this.#tail === undefined) this.#head = w;
      else this.#tail.next = w;
      this.#tail = w;
      this.#queued++;
      this.#armTimer();
    });
  }

  #full(reason: 'full' | 'closed' | 'queue-timeout'): BulkheadFullError {
    if (reason !== 'queue-timeout') this.#rejected++;
    return new BulkheadFullError(reason, this.#o.maxConcurrent, this.#o.maxQueue);
  }

  /** Unlinks a waiter and detaches its abort listener; re-arms the timer for the new head. */
  #remove(w: Waiter): void {
    if (w.prev === undefined) this.#head = w.next;
    else w.prev.next = w.next;
    if (w.next === undefined) this.#tail = w.prev;
    else w.next.prev = w.prev;
    w.prev = w.next = undefined;
    this.#queued--;
    if (w.signal !== undefined && w.onAbort !== undefined) w.signal.removeEventListener('abort', w.onAbort);
    this.#armTimer();
  }

  /** Called by a permit's first settle: hands the slot to the next waiter, if any. */
  [release](): void {
    this.#inFlight--;
    const w = this.#head;
    if (w === undefined || this.#inFlight >= this.#o.maxConcurrent) return;
    this.#remove(w);
    this.#inFlight++;
    this.#admitted++;
    w.resolve(new BulkheadPermit(this));
  }

  // All waiters share queueTimeoutMs, so the head always has the earliest deadline: one timer,
  // for the head, exists exactly while someone waits with a finite timeout.
  #armTimer(): void {
    const deadline = this.#head?.deadline ?? Number.POSITIVE_INFINITY;
    if (deadline === this.#timerDeadline) return;
    if (this.#timer !== undefined) {
      this.#o.timers.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#timerDeadline = deadline;
    if (deadline === Number.POSITIVE_INFINITY) return;
    this.#timer = this.#o.timers.setTimeout(
      () => this.#onTimer(),
      Math.max(0, deadline - this.#o.clock.now()),
    );
  }

  #onTimer(): void {
    this.#timer = undefined;
    this.#timerDeadline = Number.POSITIVE_INFINITY;
    const now = this.#o.clock.now();
    for (let w = this.#head; w !== undefined && w.deadline <= now; w = this.#head) {
      this.#timedOut++;
      this.#remove(w);
      w.reject(this.#full('queue-timeout'));
    }
    this.#armTimer();
  }

  /**
   * Runs fn when a slot is free (waiting if the queue allows). The slot is held until fn settles;
   * an aborted signal rejects the caller at once (fn gets the same signal and should stop).
   */
  execute<T>(fn: Executable<T>, signal?: AbortSignal): Promise<T> {
    if (
      signal !== undefined ||
      this.#closed ||
      this.#inFlight >= this.#o.maxConcurrent ||
      this.#head !== undefined
    ) {
      return this.#executeSlow(fn, signal);
    }
    // Fast path: a free slot and no signal. No permit object, no closure, no async function.
    this.#inFlight++;
    this.#admitted++;
    let value: Promise<T> | T;
    try {
      value = fn(noSignalContext);
    } catch (err) {
      this[release]();
      return Promise.reject(err);
    }
    if (!(value instanceof Promise)) {
      if (!isThenable(value)) {
        this[release]();
        return Promise.resolve(value);
      }
      value = Promise.resolve(value);
    }
    return value.then(this.#releaseOnValue, this.#releaseOnError) as Promise<T>;
  }

  async #executeSlow<T>(fn: Executable<T>, signal: AbortSignal | undefined): Promise<T> {
    if (signal === undefined) {
      const permit = await this.acquire();
      try {
        return await fn(noSignalContext);
      } finally {
        permit.ignore();
      }
    }
    if (signal.aborted) throw signal.reason;
    const permit = this.#tryAcquireQuietly() ?? (await this.acquire(signal));
    const pending = invoke(fn, signal);
    const done = (): void => permit.ignore();
    pending.then(done, done);
    return raceAbort(pending, signal);
  }

  /** tryAcquire without counting a refusal (execute then queues). */
  #tryAcquireQuietly(): Permit | undefined {
    if (this.#closed || this.#inFlight >= this.#o.maxConcurrent || this.#head !== undefined) return undefined;
    this.#inFlight++;
    this.#admitted++;
    return new BulkheadPermit(this);
  }

  /** Rejects every waiter and refuses new calls; permits already out may still settle. Idempotent. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (let w = this.#head; w !== undefined; w = this.#head) {
        this.#remove(w);
        w.reject(this.#full('closed'));
      }
    }
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
