const BRAND = Symbol.for('breakwater.error');

function isBranded(value: unknown, code: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true &&
    (value as { code?: unknown }).code === code
  );
}

/** The registry (Consul, a file) cannot be reached or answered badly; the last good snapshot stays. */
export class RegistryUnavailableError extends Error {
  static readonly code = 'BREAKWATER_REGISTRY_UNAVAILABLE';
  readonly code = RegistryUnavailableError.code;
  readonly [BRAND] = true;
  /** HTTP status when the registry answered, else undefined. */
  readonly status: number | undefined;
  constructor(message: string, options: { cause?: unknown; status?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RegistryUnavailableError';
    this.status = options.status;
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isBranded(value, RegistryUnavailableError.code);
  }
}

/** A one-shot resolve found no (healthy) endpoint for the service. */
export class NoEndpointsError extends Error {
  static readonly code = 'BREAKWATER_NO_ENDPOINTS';
  readonly code = NoEndpointsError.code;
  readonly [BRAND] = true;
  readonly service: string;
  constructor(service: string) {
    super(`no endpoints for service "${service}"`);
    this.name = 'NoEndpointsError';
    this.service = service;
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isBranded(value, NoEndpointsError.code);
  }
}

/** A static registry was asked for a service it does not list. */
export class UnknownServiceError extends Error {
  static readonly code = 'BREAKWATER_UNKNOWN_SERVICE';
  readonly code = UnknownServiceError.code;
  readonly [BRAND] = true;
  readonly service: string;
  constructor(service: string) {
    super(`unknown service "${service}"`);
    this.name = 'UnknownServiceError';
    this.service = service;
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isBranded(value, UnknownServiceError.code);
  }
}

/** Configuration data (an environment string, a JSON file, environment variables) is invalid. */
export class InvalidConfigError extends Error {
  static readonly code = 'BREAKWATER_INVALID_CONFIG';
  readonly code = InvalidConfigError.code;
  readonly [BRAND] = true;
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'InvalidConfigError';
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isBranded(value, InvalidConfigError.code);
  }
}

/** The registry or registration was closed. */
export class RegistryClosedError extends Error {
  static readonly code = 'BREAKWATER_REGISTRY_CLOSED';
  readonly code = RegistryClosedError.code;
  readonly [BRAND] = true;
  constructor(message = 'registry is closed') {
    super(message);
    this.name = 'RegistryClosedError';
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isBranded(value, RegistryClosedError.code);
  }
}

/** Consul answered a request with a client error (4xx: bad request, ACL denied, unknown ID). */
export class ConsulRequestError extends Error {
  static readonly code = 'BREAKWATER_CONSUL_REQUEST_FAILED';
  readonly code = ConsulRequestError.code;
  readonly [BRAND] = true;
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'ConsulRequestError';
    this.status = status;
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isBranded(value, ConsulRequestError.code);
  }
}

export const isRegistryUnavailableError = (e: unknown): e is RegistryUnavailableError =>
  isBranded(e, RegistryUnavailableError.code);
export const isNoEndpointsError = (e: unknown): e is NoEndpointsError => isBranded(e, NoEndpointsError.code);
export const isUnknownServiceError = (e: unknown): e is UnknownServiceError =>
  isBranded(e, UnknownServiceError.code);
export const isInvalidConfigError = (e: unknown): e is InvalidConfigError =>
  isBranded(e, InvalidConfigError.code);
export const isRegistryClosedError = (e: unknown): e is RegistryClosedError =>
  isBranded(e, RegistryClosedError.code);
export const isConsulRequestError = (e: unknown): e is ConsulRequestError =>
  isBranded(e, ConsulRequestError.code);
