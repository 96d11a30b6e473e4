/**
 * The gateway app factory. Everything the app opens (Redis connections, the
 * PostgreSQL pool, the report reader) is owned by a plugin that closes it in
 * `onClose`, so `app.close()` ends every connection; tests build and close
 * apps in-process.
 */
import * as http from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Ajv from 'ajv';
import Fastify, { FastifyBaseLogger, FastifyError, FastifyInstance, LogController } from 'fastify';
import pino, { Logger } from 'pino';
import { MAX_BODY_BYTES, sharedSchemas } from '../api/schemas';
import type { GatewayEnv } from '../config/env';
import { replyAddressFor } from '../streams';
import { ApiError, apiErrorOf } from './errors';
import { dataTierPlugin } from './plugins/dataTier';
import { metricsPlugin } from './plugins/metrics';
import { reportsPlugin } from './plugins/reports';
import { bookRoutes } from './routes/book';
import { healthRoutes } from './routes/health';
import { DEFAULT_LIMITS, GatewayLimits, orderRoutes } from './routes/orders';

const KEEP_ALIVE_TIMEOUT_MS = 72_000;

export interface GatewayDeps {
  /** Default: pino at LOG_LEVEL on stdout. */
  logger?: Logger;
  /** This process's index among the gateway's cluster workers; 0 when single. */
  workerIndex?: number;
  limits?: Partial<GatewayLimits>;
}

/**
 * Bodies are validated strictly (no type coercion, unknown fields refused, not
 * stripped); path and query strings are text, so there numbers are coerced.
 */
function validatorCompiler() {
  const strict = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false });
  const coercing = new Ajv({ allErrors: false, coerceTypes: true, removeAdditional: false, useDefaults: true, strict: false });
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) => (httpPart === 'body' ? strict : coercing).compile(schema);
}

export async function buildGateway(env: GatewayEnv, deps: GatewayDeps = {}): Promise<FastifyInstance> {
  const workerIndex = deps.workerIndex ?? 0;
  const logger = deps.logger ?? pino({ level: env.logLevel, base: { service: 'gateway', gatewayId: env.gatewayId, worker: workerIndex } });
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // A log line per request would cost more than the order path itself.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_BODY_BYTES,
    // The schemas refuse unknown fields, "__proto__" and "constructor" among them, so the
    // poisoning scan of every body (two regular expressions over it) buys nothing here.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    // Every answer names the backend that gave it (nginx spreads requests over gateways). Set on the
    // raw response before fastify sees the request: cheaper than an onSend hook on every request.
    serverFactory: (handler) => {
      const server = http.createServer((request, response) => {
        response.setHeader('x-backend-id', env.gatewayId);
        handler(request, response);
      });
      // What fastify sets on a server it creates itself: longer than nginx's upstream keepalive (60 s).
      server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
      return server;
    },
  });

  // JSON only: anything else (fastify also parses text/plain by default) is a 415.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler());
  app.setErrorHandler((error, request, reply) => {
    const apiError = apiErrorOf(error as FastifyError);
    if (apiError.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(apiError.statusCode).send(apiError.body());
  });
  app.setNotFoundHandler((request, reply) => {
    const notFound = ApiError.notFound(`no route ${request.method} ${request.url}`);
    return reply.code(404).send(notFound.body());
  });

  for (const schema of sharedSchemas) app.addSchema(schema);
  await app.register(swagger, {
    openapi: {
      info: { title: 'hft-stack gateway', description: 'Order entry: place, read and cancel orders; top of book', version: '1.0.0' },
    },
    // Shared schemas appear in the document under their $id.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(metricsPlugin, { labels: { gateway: env.gatewayId, worker: String(workerIndex) } });
  await app.register(dataTierPlugin, { redisUrl: env.redisUrl, databaseUrl: env.databaseUrl, clientName: `${env.gatewayId}.${workerIndex}` });
  await app.register(reportsPlugin, { redisUrl: env.redisUrl, replyTo: replyAddressFor(env.gatewayId, workerIndex) });
  await app.register(healthRoutes, { gatewayId: env.gatewayId, workerIndex });
  await app.register(orderRoutes, { symbols: env.symbols, engineShards: env.engineShards, limits: { ...DEFAULT_LIMITS, ...deps.limits } });
  await app.register(bookRoutes, { symbols: env.symbols });
  return app;
}
