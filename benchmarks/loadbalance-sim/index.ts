export { EventQueue } from '../lib/event-queue.js';
export { exponential, logNormal, mulberry32, normal, type Rng } from '../lib/rng.js';
export { markdownTable, percentile, type Summary, summarize, svgChart } from './report.js';
export { LINKERD_SCENARIO, type RunResult, runScenario, type Scenario, type Variant } from './scenario.js';
export { type ServerSpec, SimServer } from './server.js';
