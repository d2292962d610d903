export * from './report.js';
export * from './scenario.js';
