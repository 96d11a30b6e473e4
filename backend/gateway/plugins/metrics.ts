/**
 * Prometheus metrics of this gateway process (its own registry, so several
 * apps can live in one test process), served at GET /metrics. With several
 * workers each worker answers with its own figures, labelled `worker`.
 */
import fp from 'fastify-plugin';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

type RequestLabels = 'method' | 'route' | 'status_code';

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
  /** Read when scraped (not set on every request): the order routes report their count here. */
  inFlightCount: () => number = () => 0;
  readonly inFlight: Gauge = new Gauge({
    name: 'gateway_orders_in_flight',
    help: 'Orders and cancels waiting for their report',
    registers: [this.registry],
    collect: (): void => this.inFlight.set(this.inFlightCount()),
  });
  /** Label sets seen so far: a lookup by one string instead of prom-client hashing the labels on every request. */
  private readonly requestChildren = new Map<string, Histogram.Internal<RequestLabels>>();
  private readonly orderChildren = new Map<string, Counter.Internal>();

  constructor(labels: Record<string, string>) {
    this.registry.setDefaultLabels(labels);
    collectDefaultMetrics({ register: this.registry });
  }

  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    cachedChild(this.requestChildren, `${method} ${statusCode} ${route}`, () => this.requestSeconds.labels({ method, route, status_code: statusCode })).observe(seconds);
  }

  countOrder(outcome: string): void {
    cachedChild(this.orderChildren, outcome, () => this.orders.labels({ outcome })).inc();
  }
}

/** The metric child for `key`, made by `make` the first time. */
function cachedChild<T>(children: Map<string, T>, key: string, make: () => T): T {
  let child = children.get(key);
  if (child === undefined) {
    child = make();
    children.set(key, child);
  }
  return child;
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
    app.addHook('onResponse', (request, reply, done) => {
      metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
    app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics of this gateway process', produces: ['text/plain'] } }, async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  },
  { name: 'metrics', fastify: '5.x' },
);
