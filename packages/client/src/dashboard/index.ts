export { createDashboard, type Dashboard, type DashboardHandler } from './create-dashboard.js';
export { DASHBOARD_DEFAULTS, type DashboardOptions } from './options.js';
export type {
  DashboardEvent,
  DashboardEventKind,
  DashboardSnapshot,
  DashboardSource,
  EndpointSnapshot,
  InspectedEndpoint,
  ServiceInspection,
  ServiceSnapshot,
} from './types.js';
