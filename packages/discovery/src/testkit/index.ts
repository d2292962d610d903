export {
  ConsulSimulator,
  type ConsulSimulatorOptions,
  type SimulatorFault,
  type SimulatorRequest,
} from './consul-simulator.js';
export { ManualClock } from './manual-clock.js';
export {
  MIN_DEREGISTER_AFTER_MS,
  type SimCheck,
  type SimCheckStatus,
  type SimService,
} from './simulator-state.js';
