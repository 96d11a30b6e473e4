/**
 * Prometheus metrics of this gateway process (its own registry, so several
 * apps can live in one test process), served at GET /metrics. With several
 * workers each worker answers with its own figures, labelled `worker`.
 */
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requestSeconds = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route, method and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1, 5],
    registers: [this.registry],
  });
  readonly orders = new Counter({
    name: 'gateway_orders_total',
    help: 'Orders answered, by outcome (status of the order, or the refusal)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({ name: 'gateway_orders_in_flight', help: 'Orders and cancels waiting for their report', registers: [this.registry] });

  constructor(labels: Record<string, string>) {
    this.registry.setDefaultLabels(labels);
    collectDefaultMetrics({ register: this.registry });
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: GatewayMetrics;
  }
}

export const metricsPlugin = fp<{ labels: Record<string, string> }>(
  async (app, options) => {
    const metrics = new GatewayMetrics(options.labels);
    app.decorate('metrics', metrics);
    app.addHook('onResponse', async (request, reply) => {
      metrics.requestSeconds.observe(
        { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: reply.statusCode },
        reply.elapsedTime / 1000,
      );
    });
    app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics of this gateway process', produces: ['text/plain'] } }, async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  },
  { name: 'metrics', fastify: '5.x' },
);
