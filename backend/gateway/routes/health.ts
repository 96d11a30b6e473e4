/** GET /health (the process is live) and GET /ready (Redis and PostgreSQL answer). */
import fp from 'fastify-plugin';
import { healthResponse, readyResponse } from '../../api/schemas';

export const healthRoutes = fp<{ gatewayId: string; workerIndex: number }>(
  async (app, { gatewayId, workerIndex }) => {
    app.get('/health', { schema: { tags: ['operations'], summary: 'Liveness', response: { 200: healthResponse } } }, async () => ({
      status: 'ok',
      gatewayId,
      worker: workerIndex,
    }));

    app.get(
      '/ready',
      { schema: { tags: ['operations'], summary: 'Readiness: Redis and PostgreSQL reachable', response: { 200: readyResponse, 503: readyResponse } } },
      async (_request, reply) => {
        const status = await app.dataTier.probe();
        const ready = status.redis && status.postgres;
        return reply.code(ready ? 200 : 503).send({
          status: ready ? 'ready' : 'unavailable',
          redis: status.redis ? 'up' : 'down',
          postgres: status.postgres ? 'up' : 'down',
        });
      },
    );
  },
  { name: 'health-routes', dependencies: ['data-tier'], encapsulate: true },
);
