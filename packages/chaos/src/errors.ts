// One class per error, with a stable `code` and a cross-install brand: `instanceof` checks the
// brand and the code, not the prototype chain, so two copies of this package agree.

const brand = Symbol.for('breakwater.error');

function branded(value: unknown, code: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true &&
    (value as { code?: unknown }).code === code
  );
}

/** Thrown by a fault proxy's `setFaults` after `close()`. */
export class ProxyClosedError extends Error {
  static readonly code = 'BREAKWATER_CHAOS_PROXY_CLOSED';
  readonly code = 'BREAKWATER_CHAOS_PROXY_CLOSED';
  readonly [brand] = true;
  override readonly name = 'ProxyClosedError';

  constructor() {
    super('Fault proxy is closed');
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, 'BREAKWATER_CHAOS_PROXY_CLOSED');
  }
}

export function isProxyClosedError(value: unknown): value is ProxyClosedError {
  return branded(value, 'BREAKWATER_CHAOS_PROXY_CLOSED');
}

/** A ready-made error for chaos policies: `fault: { error: () => new InjectedFaultError() }`. */
export class InjectedFaultError extends Error {
  static readonly code = 'BREAKWATER_CHAOS_INJECTED_FAULT';
  readonly code = 'BREAKWATER_CHAOS_INJECTED_FAULT';
  readonly [brand] = true;
  override readonly name = 'InjectedFaultError';

  constructor(message = 'Injected fault (chaos)') {
    super(message);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, 'BREAKWATER_CHAOS_INJECTED_FAULT');
  }
}

export function isInjectedFaultError(value: unknown): value is InjectedFaultError {
  return branded(value, 'BREAKWATER_CHAOS_INJECTED_FAULT');
}
