export { type Clock, defaultClock } from './clock.js';
export { DEADLINE_HEADER } from './deadline.js';
export { type ErrorResponse, errorResponse } from './error-response.js';
export {
  BodyTooLargeError,
  DownstreamClosedError,
  InboundDeadlineError,
  isBodyTooLargeError,
  isDownstreamClosedError,
  isInboundDeadlineError,
} from './errors.js';
export { createGateway, type Gateway } from './gateway.js';
export {
  GATEWAY_DEFAULTS,
  type GatewayLogger,
  type GatewayOptions,
  type MetricsRegistry,
} from './gateway-options.js';
export { connectionTokens, HOP_BY_HOP, isHopByHop } from './hop-by-hop.js';
export { SERVICE_NAME, splitServicePath } from './service-path.js';
