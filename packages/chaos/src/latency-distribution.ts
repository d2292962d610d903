import type { Random } from './random.js';
import { finiteNumber, knownKeys, nonNegativeNumber, plainObject, show } from './validate.js';

/** How long an injected delay lasts. Samples are clamped at 0 ms. */
export type LatencyDistribution =
  | { readonly kind: 'fixed'; readonly ms: number }
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  | { readonly kind: 'normal'; readonly meanMs: number; readonly stdDevMs: number }
  /** `exp(mu + sigma·Z)` ms: the long right tail real latencies have. */
  | { readonly kind: 'lognormal'; readonly mu: number; readonly sigma: number };

export function parseDistribution(name: string, value: unknown): LatencyDistribution {
  const o = plainObject(name, value);
  switch (o.kind) {
    case 'fixed':
      knownKeys(name, o, ['kind', 'ms']);
      return Object.freeze({ kind: 'fixed', ms: nonNegativeNumber(`${name}.ms`, o.ms) });
    case 'uniform': {
      knownKeys(name, o, ['kind', 'minMs', 'maxMs']);
      const minMs = nonNegativeNumber(`${name}.minMs`, o.minMs);
      const maxMs = nonNegativeNumber(`${name}.maxMs`, o.maxMs);
      if (maxMs < minMs) throw new RangeError(`${name}.maxMs must be >= minMs (${minMs}), got ${maxMs}`);
      return Object.freeze({ kind: 'uniform', minMs, maxMs });
    }
    case 'normal':
      knownKeys(name, o, ['kind', 'meanMs', 'stdDevMs']);
      return Object.freeze({
        kind: 'normal',
        meanMs: nonNegativeNumber(`${name}.meanMs`, o.meanMs),
        stdDevMs: nonNegativeNumber(`${name}.stdDevMs`, o.stdDevMs),
      });
    case 'lognormal':
      knownKeys(name, o, ['kind', 'mu', 'sigma']);
      return Object.freeze({
        kind: 'lognormal',
        mu: finiteNumber(`${name}.mu`, o.mu),
        sigma: nonNegativeNumber(`${name}.sigma`, o.sigma),
      });
    default:
      throw new TypeError(
        `${name}.kind must be one of fixed, uniform, normal, lognormal, got ${show(o.kind)}`,
      );
  }
}

/** A standard normal sample (Box–Muller), from two uniform draws. */
function gaussian(random: Random): number {
  const u = 1 - random(); // (0, 1]: log(0) would be -Infinity
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function sampleLatency(d: LatencyDistribution, random: Random): number {
  switch (d.kind) {
    case 'fixed':
      return d.ms;
    case 'uniform':
      return d.minMs + (d.maxMs - d.minMs) * random();
    case 'normal':
      return Math.max(0, d.meanMs + d.stdDevMs * gaussian(random));
    case 'lognormal':
      return Math.exp(d.mu + d.sigma * gaussian(random));
  }
}
