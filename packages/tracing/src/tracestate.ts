// The `tracestate` header: parse (several header lines combined), an immutable list that
// implements @opentelemetry/api's TraceState, mutation (updated key moves left), and the spec's
// truncation rules.
import type { TraceState as ApiTraceState } from '@opentelemetry/api';
import {
  isValidKeyRange,
  isValidTracestateKey,
  isValidTracestateValue,
  isValidValueRange,
  MAX_MEMBERS,
} from './tracestate-grammar.js';

/** The length the spec says vendors SHOULD propagate at least; our default truncation limit. */
export const DEFAULT_TRACESTATE_MAX_LENGTH = 512;
/** Entries longer than this are removed first when truncating. */
export const TRACESTATE_LARGE_ENTRY = 128;

/**
 * An immutable tracestate: at most 32 unique keys, left-most first. Implements the
 * @opentelemetry/api `TraceState` interface, so it can be put in a SpanContext as is.
 * Mutators never throw: an invalid key or value leaves the state unchanged.
 */
export class TraceState implements ApiTraceState {
  static readonly EMPTY: TraceState = new TraceState([], []);

  readonly #keys: readonly string[];
  readonly #values: readonly string[];
  // The serialization, computed once (the state is immutable); a header that needed no clean-up is its own.
  #serialized: string | undefined;

  private constructor(keys: readonly string[], values: readonly string[], serialized?: string) {
    this.#keys = keys;
    this.#values = values;
    this.#serialized = serialized;
  }

  /** @internal Builds from already validated, duplicate-free arrays. */
  static fromValidated(keys: readonly string[], values: readonly string[], serialized?: string): TraceState {
    return keys.length === 0 ? TraceState.EMPTY : new TraceState(keys, values, serialized);
  }

  /**
   * Builds from [key, value] pairs, left-most first. Invalid pairs make the whole list invalid,
   * as they would on the wire: returns null (never throws).
   */
  static from(entries: Iterable<readonly [string, string]>): TraceState | null {
    const keys: string[] = [];
    const values: string[] = [];
    for (const [k, v] of entries) {
      if (!isValidTracestateKey(k) || !isValidTracestateValue(v) || keys.includes(k)) return null;
      keys.push(k);
      values.push(v);
      if (keys.length > MAX_MEMBERS) return null;
    }
    return TraceState.fromValidated(keys, values);
  }

  get size(): number {
    return this.#keys.length;
  }

  get(key: string): string | undefined {
    const i = this.#keys.indexOf(key);
    return i === -1 ? undefined : this.#values[i];
  }

  /**
   * Returns a state with `key` set to `value` and moved to the left-most position (the spec's
   * "update key value" / "add a new key/value pair" mutations). When that makes 33 members, the
   * right-most is dropped. An invalid key or value returns this state unchanged.
   */
  set(key: string, value: string): TraceState {
    if (!isValidTracestateKey(key) || !isValidTracestateValue(value)) return this;
    const old = this.#keys;
    const oldValues = this.#values;
    const keys: string[] = [key];
    const values: string[] = [value];
    for (let i = 0; i < old.length && keys.length < MAX_MEMBERS; i++) {
      if (old[i] !== key) {
        keys.push(old[i]!);
        values.push(oldValues[i]!);
      }
    }
    return new TraceState(keys, values);
  }

  /** Returns a state without `key` (the spec's "delete" mutation). */
  unset(key: string): TraceState {
    const i = this.#keys.indexOf(key);
    if (i === -1) return this;
    const keys = this.#keys.filter((_, j) => j !== i);
    const values = this.#values.filter((_, j) => j !== i);
    return TraceState.fromValidated(keys, values);
  }

  /** [key, value] pairs, left-most first. */
  entries(): Array<[string, string]> {
    return this.#keys.map((k, i) => [k, this.#values[i]!]);
  }

  /** The full header value, no truncation, no optional whitespace. */
  serialize(): string {
    if (this.#serialized !== undefined) return this.#serialized;
    const keys = this.#keys;
    const values = this.#values;
    let out = '';
    for (let i = 0; i < keys.length; i++) {
      if (i > 0) out += ',';
      out += `${keys[i]}=${values[i]}`;
    }
    this.#serialized = out;
    return out;
  }

  /**
   * Truncates to at most `maxLength` serialized characters by removing whole entries, as the spec
   * says: entries longer than 128 characters first (right-most first), then from the right.
   */
  truncate(maxLength: number = DEFAULT_TRACESTATE_MAX_LENGTH): TraceState {
    let total = this.serialize().length;
    if (total <= maxLength) return this;
    const lengths = this.#keys.map((k, i) => k.length + 1 + this.#values[i]!.length);
    const keep = lengths.map(() => true);
    let kept = lengths.length;
    const drop = (i: number): void => {
      keep[i] = false;
      kept--;
      total -= lengths[i]! + (kept > 0 ? 1 : 0);
    };
    for (let i = lengths.length - 1; i >= 0 && total > maxLength; i--) {
      if (lengths[i]! > TRACESTATE_LARGE_ENTRY) drop(i);
    }
    for (let i = lengths.length - 1; i >= 0 && total > maxLength; i--) {
      if (keep[i]) drop(i);
    }
    return TraceState.fromValidated(
      this.#keys.filter((_, i) => keep[i]),
      this.#values.filter((_, i) => keep[i]),
    );
  }
}

/**
 * Parses a tracestate header. Several header lines (an array) are combined in order, as RFC 7230
 * field order says. Empty and whitespace-only list-members are ignored; spaces and tabs around
 * members are optional whitespace. Returns null when the list is invalid (a bad key or value, a
 * duplicate key, or more than 32 members): the caller then drops tracestate whole. An empty
 * header gives an empty state. Never throws.
 */
export function parseTracestate(value: string | readonly string[] | undefined | null): TraceState | null {
  if (value === undefined || value === null) return TraceState.EMPTY;
  let header: string;
  if (typeof value === 'string') header = value;
  else if (Array.isArray(value)) {
    for (const v of value) if (typeof v !== 'string') return null;
    header = value.join(',');
  } else return null;

  const keys: string[] = [];
  const values: string[] = [];
  const len = header.length;
  let clean = true; // no optional whitespace or empty members: the header is its own serialization
  let start = 0;
  while (start <= len) {
    let end = header.indexOf(',', start);
    if (end === -1) end = len;
    let a = start;
    let b = end;
    while (a < b && (header.charCodeAt(a) === 0x20 || header.charCodeAt(a) === 0x09)) a++;
    while (b > a && (header.charCodeAt(b - 1) === 0x20 || header.charCodeAt(b - 1) === 0x09)) b--;
    if (a !== start || b !== end || a === b) clean = false;
    if (a < b) {
      const eq = header.indexOf('=', a);
      if (eq === -1 || eq >= b) return null;
      if (!isValidKeyRange(header, a, eq) || !isValidValueRange(header, eq + 1, b)) return null;
      if (keys.length === MAX_MEMBERS) return null;
      const key = header.slice(a, eq);
      if (keys.includes(key)) return null;
      keys.push(key);
      values.push(header.slice(eq + 1, b));
    }
    start = end + 1;
  }
  return TraceState.fromValidated(keys, values, clean ? header : undefined);
}

/**
 * Serializes a tracestate for sending, truncated to `maxLength` characters by the spec's rules.
 * Returns '' for an empty state (the spec says vendors SHOULD avoid sending empty headers).
 */
export function formatTracestate(
  state: ApiTraceState | undefined,
  maxLength: number = DEFAULT_TRACESTATE_MAX_LENGTH,
): string {
  if (state === undefined) return '';
  if (state instanceof TraceState) {
    return state.size === 0 ? '' : state.truncate(maxLength).serialize();
  }
  // A foreign TraceState (e.g. @opentelemetry/core's): re-parse its serialization to apply limits.
  const parsed = parseTracestate(state.serialize());
  return parsed === null ? '' : parsed.truncate(maxLength).serialize();
}
