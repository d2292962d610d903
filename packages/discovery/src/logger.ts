/**
 * The log sink. Lines never carry the ACL token: requests are logged by method and path only,
 * and the token travels in the `X-Consul-Token` header, which is never logged.
 */
export interface Logger {
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

export const silentLogger: Logger = Object.freeze({
  debug() {},
  warn() {},
});
