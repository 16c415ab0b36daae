/**
 * Moved to src/metrics/ (prom-client). Kept so that code written against the old path still
 * compiles; new code imports '../metrics/metrics-registry.js'.
 * @deprecated
 */
export * from '../metrics/metrics-registry.js';
