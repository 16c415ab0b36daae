import type { MetricsRegistry } from '../metrics/metrics-registry.js';

export interface HttpMetrics {
  observe(method: string, route: string, status: number, seconds: number): void;
}

/** HTTP request counts and latencies by route pattern (never the raw path: ids would explode the series). */
export function createHttpMetrics(registry: MetricsRegistry): HttpMetrics {
  const requests = registry.counter('pgdir_http_requests_total', 'HTTP API requests by method, route and status.', { labelNames: ['method', 'route', 'status'] });
  const duration = registry.histogram('pgdir_http_request_duration_seconds', 'HTTP API request latency by method and route.', { labelNames: ['method', 'route'] });
  return {
    observe(method, route, status, seconds) {
      requests.inc({ method, route, status });
      duration.observe({ method, route }, seconds);
    },
  };
}
