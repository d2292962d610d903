// Option validation helpers: the message always names the option and shows the bad value.

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export function finiteAtLeast(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new RangeError(`${name} must be a finite number >= ${min}, got ${show(value)}`);
  }
  return value;
}

export function positiveFinite(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive finite number, got ${show(value)}`);
  }
  return value;
}

export function integerInRange(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${show(value)}`);
  }
  return value;
}

export function fn(name: string, value: unknown): void {
  if (typeof value !== 'function') throw new TypeError(`${name} must be a function, got ${typeof value}`);
}

export function optionalFn(name: string, value: unknown): void {
  if (value !== undefined) fn(name, value);
}

export function clockLike(name: string, value: unknown): void {
  if (typeof value !== 'object' || value === null || typeof (value as { now?: unknown }).now !== 'function') {
    throw new TypeError(`${name} must be an object with a now() method`);
  }
}

export function timersLike(name: string, value: unknown): void {
  const t = value as { setTimeout?: unknown; clearTimeout?: unknown } | null;
  if (
    typeof t !== 'object' ||
    t === null ||
    typeof t.setTimeout !== 'function' ||
    typeof t.clearTimeout !== 'function'
  ) {
    throw new TypeError(`${name} must be an object with setTimeout and clearTimeout functions`);
  }
}
