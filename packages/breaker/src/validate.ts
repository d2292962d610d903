// Construction-time option checks. Messages name the option and the value received, e.g.
// `maxConcurrent must be a positive integer, got -1`.

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

export function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number')
    throw new TypeError(`${name} must be a positive integer, got ${show(value)}`);
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${show(value)}`);
  }
  return value;
}

export function nonNegativeInteger(name: string, value: unknown): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a non-negative integer, got ${show(value)}`);
  }
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${show(value)}`);
  }
  return value;
}

/** A finite duration > 0 ms (Infinity allowed only when `allowInfinity`). */
export function positiveDuration(name: string, value: unknown, allowInfinity = false): number {
  if (typeof value !== 'number')
    throw new TypeError(`${name} must be a positive number of ms, got ${show(value)}`);
  if (Number.isNaN(value) || value <= 0 || (!allowInfinity && !Number.isFinite(value))) {
    const what = allowInfinity ? 'a positive number of ms or Infinity' : 'a positive finite number of ms';
    throw new RangeError(`${name} must be ${what}, got ${show(value)}`);
  }
  return value;
}

/** A finite duration >= 0 ms (or Infinity when allowed). */
export function nonNegativeDuration(name: string, value: unknown, allowInfinity = false): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${name} must be a non-negative number of ms, got ${show(value)}`);
  }
  if (Number.isNaN(value) || value < 0 || (!allowInfinity && !Number.isFinite(value))) {
    const what = allowInfinity
      ? 'a non-negative number of ms or Infinity'
      : 'a non-negative finite number of ms';
    throw new RangeError(`${name} must be ${what}, got ${show(value)}`);
  }
  return value;
}

/** A fraction in (0, 1]. */
export function rate(name: string, value: unknown): number {
  if (typeof value !== 'number')
    throw new TypeError(`${name} must be a number in (0, 1], got ${show(value)}`);
  if (!(value > 0 && value <= 1))
    throw new RangeError(`${name} must be a number in (0, 1], got ${show(value)}`);
  return value;
}

/** A fraction in [0, 1]. */
export function fraction(name: string, value: unknown): number {
  if (typeof value !== 'number')
    throw new TypeError(`${name} must be a number in [0, 1], got ${show(value)}`);
  if (!(value >= 0 && value <= 1))
    throw new RangeError(`${name} must be a number in [0, 1], got ${show(value)}`);
  return value;
}

/** A number >= min. */
export function atLeast(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number')
    throw new TypeError(`${name} must be a number >= ${min}, got ${show(value)}`);
  if (!(value >= min) || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number >= ${min}, got ${show(value)}`);
  }
  return value;
}

export function func<T>(name: string, value: unknown): T {
  if (typeof value !== 'function') throw new TypeError(`${name} must be a function, got ${show(value)}`);
  return value as T;
}

export function clock<T>(name: string, value: unknown): T {
  if (typeof value !== 'object' || value === null || typeof (value as { now?: unknown }).now !== 'function') {
    throw new TypeError(`${name} must be an object with a now() method, got ${show(value)}`);
  }
  return value as T;
}

export function object(name: string, value: unknown): void {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${name} must be an object, got ${show(value)}`);
  }
}
