// A deadline is an absolute point on a monotonic clock, not a duration: passing it through layers
// (retry → attempt → wire) never extends it. Wire formats convert it to a remaining duration.
import { type Clock, defaultClock } from './types.js';
import { clockLike } from './validate.js';
import {
  decodeDeadlineHeader,
  decodeGrpcTimeout,
  encodeDeadlineHeader,
  encodeGrpcTimeout,
} from './wire-deadline.js';

export class Deadline {
  /** Absolute time on `clock` (ms) at which the deadline passes; Infinity for none. */
  readonly at: number;
  readonly clock: Clock;

  private constructor(at: number, clock: Clock) {
    if (typeof at !== 'number' || Number.isNaN(at))
      throw new RangeError(`deadline must be a number, got ${at}`);
    clockLike('clock', clock);
    this.at = at;
    this.clock = clock;
    Object.freeze(this);
  }

  /** A deadline `ms` from now on `clock` (default performance.now()). */
  static after(ms: number, clock: Clock = defaultClock): Deadline {
    if (typeof ms !== 'number' || Number.isNaN(ms)) throw new RangeError(`ms must be a number, got ${ms}`);
    return new Deadline(clock.now() + ms, clock);
  }

  /** A deadline at the absolute time `at` of `clock`. */
  static at(at: number, clock: Clock = defaultClock): Deadline {
    return new Deadline(at, clock);
  }

  /** A deadline that never passes. */
  static never(clock: Clock = defaultClock): Deadline {
    return new Deadline(Number.POSITIVE_INFINITY, clock);
  }

  /** From a `grpc-timeout` header value; undefined when absent or malformed. */
  static fromGrpcTimeout(value: unknown, clock: Clock = defaultClock): Deadline | undefined {
    const ms = decodeGrpcTimeout(value);
    return ms === undefined ? undefined : new Deadline(clock.now() + ms, clock);
  }

  /** From an `x-breakwater-deadline-ms` header value; undefined when absent or malformed. */
  static fromHeader(value: unknown, clock: Clock = defaultClock): Deadline | undefined {
    const ms = decodeDeadlineHeader(value);
    return ms === undefined ? undefined : new Deadline(clock.now() + ms, clock);
  }

  /** ms left, never negative. */
  remaining(): number {
    const r = this.at - this.clock.now();
    return Math.max(r, 0);
  }

  isExpired(): boolean {
    return this.clock.now() >= this.at;
  }

  /** The earlier of this and `other` (which should use the same clock). */
  min(other: Deadline | undefined): Deadline {
    return other !== undefined && other.at < this.at ? other : this;
  }

  /** The remaining time as a `grpc-timeout` header value. */
  toGrpcTimeout(): string {
    return encodeGrpcTimeout(this.remaining());
  }

  /** The remaining time as an `x-breakwater-deadline-ms` header value. */
  toHeader(): string {
    return encodeDeadlineHeader(this.remaining());
  }
}
