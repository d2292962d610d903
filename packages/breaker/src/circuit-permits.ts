import {
  afterError,
  afterValue,
  FAILURE,
  IGNORE,
  type Outcome,
  SUCCESS,
  settle,
  settleWith,
} from './internal.js';
import type { Permit } from './permit.js';

export interface PermitOwner {
  /** `now` is meaningful only when `timed` (the settler read the clock). */
  [settle](
    permit: ClosedPermit | ProbePermit,
    outcome: Outcome,
    durationMs: number,
    error: unknown,
    now: number,
    timed: boolean,
  ): void;
  /** Settles an untimed `execute` call with its value and returns the value. */
  [afterValue](permit: ClosedPermit, value: unknown): unknown;
  /** Settles an untimed `execute` call with its error and returns the error to rethrow. */
  [afterError](permit: ClosedPermit, error: unknown): unknown;
}

/** `then` callbacks that settle this permit: made once per closed period, not per call. */
export interface SettleCallbacks {
  readonly onValue: (value: unknown) => unknown;
  readonly onError: (error: unknown) => never;
}

/**
 * The closed period's shared permit. `execute` settles every call exactly once itself, so all calls
 * admitted during one closed period share this one object, which makes `execute`'s closed path
 * allocation-free: it counts the calls admitted and not yet settled. Each new closed period gets a
 * new object, so a permit from an earlier period is recognised as late. `tryAcquire()` callers, who
 * settle by hand, get a `ClosedCallPermit` wrapping it, which settles exactly once.
 */
export class ClosedPermit implements Permit {
  outstanding = 0;
  readonly #owner: PermitOwner;
  #callbacks: SettleCallbacks | undefined;

  constructor(owner: PermitOwner) {
    this.#owner = owner;
  }

  success(durationMs: number): void {
    this[settleWith](SUCCESS, durationMs, undefined, 0, false);
  }

  failure(durationMs: number): void {
    this[settleWith](FAILURE, durationMs, undefined, 0, false);
  }

  ignore(): void {
    this[settleWith](IGNORE, 0, undefined, 0, false);
  }

  /** Created on first use, so an idle breaker does not carry them. */
  callbacks(): SettleCallbacks {
    if (this.#callbacks === undefined) {
      const owner = this.#owner;
      this.#callbacks = {
        onValue: (value) => owner[afterValue](this, value),
        onError: (error) => {
          throw owner[afterError](this, error);
        },
      };
    }
    return this.#callbacks;
  }

  [settleWith](outcome: Outcome, durationMs: number, error: unknown, now: number, timed: boolean): void {
    if (this.outstanding === 0) return;
    this.outstanding--;
    this.#owner[settle](this, outcome, durationMs, error, now, timed);
  }
}

/**
 * The permit `tryAcquire()` returns in the closed state: one small object per call (about 32 bytes)
 * so that a second settle by the same caller is a no-op and never uses up another caller's settle.
 */
export class ClosedCallPermit implements Permit {
  #settled = false;
  readonly #shared: ClosedPermit;

  constructor(shared: ClosedPermit) {
    this.#shared = shared;
  }

  success(durationMs: number): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#shared[settleWith](SUCCESS, durationMs, undefined, 0, false);
  }

  failure(durationMs: number): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#shared[settleWith](FAILURE, durationMs, undefined, 0, false);
  }

  ignore(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#shared[settleWith](IGNORE, 0, undefined, 0, false);
  }
}

/** A half-open probe's permit: one object per probe, so it settles exactly once. */
export class ProbePermit implements Permit {
  settled = false;
  readonly epoch: number;
  readonly #owner: PermitOwner;

  constructor(owner: PermitOwner, epoch: number) {
    this.#owner = owner;
    this.epoch = epoch;
  }

  success(durationMs: number): void {
    this[settleWith](SUCCESS, durationMs, undefined, 0, false);
  }

  failure(durationMs: number): void {
    this[settleWith](FAILURE, durationMs, undefined, 0, false);
  }

  ignore(): void {
    this[settleWith](IGNORE, 0, undefined, 0, false);
  }

  [settleWith](outcome: Outcome, durationMs: number, error: unknown, now: number, timed: boolean): void {
    if (this.settled) return;
    this.settled = true;
    this.#owner[settle](this, outcome, durationMs, error, now, timed);
  }
}

export { FAILURE, IGNORE, SUCCESS };

export type BreakerPermit = ClosedPermit | ProbePermit;
