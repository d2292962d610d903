import type { Distributor } from './distributors/distributor.js';
import type { Endpoint, FailReason, PickFailure, PickRequest, PickResult, Random } from './types.js';

/**
 * An immutable view of one snapshot: the endpoints it picks from never change; a new picker is
 * published on every change (grpc-js style). `pick` never throws.
 */
export interface Picker {
  /** The endpoints this picker chooses among (all of them in panic mode). */
  readonly endpoints: readonly Endpoint[];
  /** Endpoints in the snapshot, healthy or not. */
  readonly total: number;
  /** Endpoints neither ejected nor marked unhealthy. */
  readonly healthy: number;
  /** True when too few endpoints are healthy and the picker balances over all of them (Envoy's panic). */
  readonly panic: boolean;
  pick(request?: PickRequest): PickResult;
}

const FAILURES: Readonly<Record<FailReason, PickFailure>> = Object.freeze({
  'no-endpoints': Object.freeze({ type: 'fail', reason: 'no-endpoints' }),
  'no-healthy-endpoints': Object.freeze({ type: 'fail', reason: 'no-healthy-endpoints' }),
  closed: Object.freeze({ type: 'fail', reason: 'closed' }),
});

export class FailPicker implements Picker {
  readonly endpoints: readonly Endpoint[] = Object.freeze([]);
  readonly total: number;
  readonly healthy = 0;
  readonly panic = false;
  readonly #result: PickFailure;

  constructor(reason: FailReason, total = 0) {
    this.#result = FAILURES[reason];
    this.total = total;
  }

  pick(_request?: PickRequest): PickResult {
    return this.#result;
  }
}

/** Picks through one distributor, or splits between a local-zone and a remote one. */
export class SnapshotPicker implements Picker {
  readonly endpoints: readonly Endpoint[];
  readonly total: number;
  readonly healthy: number;
  readonly panic: boolean;
  /** Share of picks sent to the local zone (1 when there is no locality split). */
  readonly localShare: number;
  readonly #local: Distributor;
  readonly #remote: Distributor | undefined;
  readonly #random: Random;

  constructor(init: {
    endpoints: readonly Endpoint[];
    total: number;
    healthy: number;
    panic: boolean;
    local: Distributor;
    remote?: Distributor | undefined;
    localShare?: number;
    random: Random;
  }) {
    this.endpoints = Object.freeze(init.endpoints);
    this.total = init.total;
    this.healthy = init.healthy;
    this.panic = init.panic;
    this.#local = init.local;
    this.#remote = init.remote;
    this.localShare = init.remote === undefined ? 1 : (init.localShare ?? 1);
    this.#random = init.random;
  }

  pick(request?: PickRequest): PickResult {
    const remote = this.#remote;
    if (remote === undefined || (this.localShare > 0 && this.#random() < this.localShare)) {
      return this.#local.pick(request);
    }
    return remote.pick(request);
  }
}
