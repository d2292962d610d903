import { boolean, knownKeys, nonNegativeNumber, plainObject, positiveNumber, show } from './validate.js';

/** Which way a fault applies: `upstream` is client → upstream, `downstream` is upstream → client. */
export type Direction = 'upstream' | 'downstream' | 'both';

export interface LatencyFault {
  /** Delay added to every chunk, ms. */
  readonly ms: number;
  /** Uniform jitter in ±jitterMs around `ms` (never below 0). Default 0. */
  readonly jitterMs?: number;
  /** Default 'both'. */
  readonly direction?: Direction;
}

export interface BandwidthFault {
  /** Throughput cap, bytes per second, per connection and direction. */
  readonly bytesPerSecond: number;
  /** Default 'both'. */
  readonly direction?: Direction;
}

export interface ResetFault {
  /** Reset every connection accepted while this fault is set. Default true. */
  readonly new?: boolean;
  /** Reset the connections open when the fault is set (once, at `setFaults`). Default true. */
  readonly existing?: boolean;
}

export interface BlackholeFault {
  /** Default 'both'. */
  readonly direction?: Direction;
}

/** The faults of one proxy; `setFaults` replaces the whole set. An empty object is a clean pipe. */
export interface ProxyFaults {
  readonly latency?: LatencyFault;
  readonly bandwidth?: BandwidthFault;
  /** `true` is `{ new: true, existing: true }`. Resets send RST (`socket.resetAndDestroy()`). */
  readonly reset?: boolean | ResetFault;
  /**
   * Accept and never answer: data stops flowing (it is held, as a partition holds TCP segments,
   * and flows again when the blackhole is lifted). `true` is `{ direction: 'both' }`.
   */
  readonly blackhole?: boolean | BlackholeFault;
  /** Delay before a FIN (end of stream) is forwarded, ms, in either direction. */
  readonly slowCloseMs?: number;
  /** Stop listening: new connections are refused (ECONNREFUSED). Open connections stay. */
  readonly down?: boolean;
}

const DIRECTIONS: readonly string[] = ['upstream', 'downstream', 'both'];

function direction(name: string, value: unknown): Direction {
  if (value === undefined) return 'both';
  if (typeof value !== 'string' || !DIRECTIONS.includes(value)) {
    throw new TypeError(`${name} must be one of upstream, downstream, both, got ${show(value)}`);
  }
  return value as Direction;
}

/**
 * Validates a faults object (from code or from JSON) and returns a frozen, normalised copy.
 * Throws TypeError/RangeError naming the offending field, e.g. `faults.latency.ms`.
 */
export function parseFaults(value: unknown, name = 'faults'): Readonly<ProxyFaults> {
  const o = plainObject(name, value);
  knownKeys(name, o, ['latency', 'bandwidth', 'reset', 'blackhole', 'slowCloseMs', 'down']);
  const out: {
    -readonly [K in keyof ProxyFaults]: ProxyFaults[K];
  } = {};
  if (o.latency !== undefined) {
    const l = plainObject(`${name}.latency`, o.latency);
    knownKeys(`${name}.latency`, l, ['ms', 'jitterMs', 'direction']);
    out.latency = Object.freeze({
      ms: nonNegativeNumber(`${name}.latency.ms`, l.ms),
      jitterMs: l.jitterMs === undefined ? 0 : nonNegativeNumber(`${name}.latency.jitterMs`, l.jitterMs),
      direction: direction(`${name}.latency.direction`, l.direction),
    });
  }
  if (o.bandwidth !== undefined) {
    const b = plainObject(`${name}.bandwidth`, o.bandwidth);
    knownKeys(`${name}.bandwidth`, b, ['bytesPerSecond', 'direction']);
    out.bandwidth = Object.freeze({
      bytesPerSecond: positiveNumber(`${name}.bandwidth.bytesPerSecond`, b.bytesPerSecond),
      direction: direction(`${name}.bandwidth.direction`, b.direction),
    });
  }
  if (o.reset !== undefined && o.reset !== false) {
    if (o.reset === true) out.reset = Object.freeze({ new: true, existing: true });
    else {
      const r = plainObject(`${name}.reset`, o.reset);
      knownKeys(`${name}.reset`, r, ['new', 'existing']);
      out.reset = Object.freeze({
        new: r.new === undefined ? true : boolean(`${name}.reset.new`, r.new),
        existing: r.existing === undefined ? true : boolean(`${name}.reset.existing`, r.existing),
      });
    }
  }
  if (o.blackhole !== undefined && o.blackhole !== false) {
    if (o.blackhole === true) out.blackhole = Object.freeze({ direction: 'both' });
    else {
      const b = plainObject(`${name}.blackhole`, o.blackhole);
      knownKeys(`${name}.blackhole`, b, ['direction']);
      out.blackhole = Object.freeze({ direction: direction(`${name}.blackhole.direction`, b.direction) });
    }
  }
  if (o.slowCloseMs !== undefined) out.slowCloseMs = nonNegativeNumber(`${name}.slowCloseMs`, o.slowCloseMs);
  if (o.down !== undefined) out.down = boolean(`${name}.down`, o.down);
  return Object.freeze(out);
}

/** Whether a fault with `dir` applies to the pipe flowing `way`. */
export function applies(dir: Direction | undefined, way: 'upstream' | 'downstream'): boolean {
  return dir === undefined || dir === 'both' || dir === way;
}
