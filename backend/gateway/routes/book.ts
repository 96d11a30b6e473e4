/** GET /api/book/:symbol: the top of book the symbol's engine shard last published to Redis. */
import fp from 'fastify-plugin';
import { errorResponse, symbolParamsSchema, topOfBookResponse } from '../../api/schemas';
import type { SymbolSpec } from '../../config/symbols';
import type { TopOfBook } from '../../engine/types';
import { topOfBookKeyFor } from '../../streams';
import { ApiError } from '../errors';
import { presentTopOfBook } from '../presenter';

export const bookRoutes = fp<{ symbols: Map<string, SymbolSpec> }>(
  async (app, { symbols }) => {
    app.get(
      '/api/book/:symbol',
      {
        schema: {
          tags: ['market data'],
          summary: 'Best bid and best ask of a symbol',
          params: symbolParamsSchema,
          response: { 200: topOfBookResponse, 404: errorResponse, 503: errorResponse },
        },
      },
      async (request, reply) => {
        const { symbol } = request.params as { symbol: string };
        const spec = symbols.get(symbol);
        const refuse = (error: ApiError) => reply.code(error.statusCode as 404 | 503).send(error.body());
        if (spec === undefined) return refuse(ApiError.notFound(`unknown symbol ${symbol}; known: ${[...symbols.keys()].join(', ')}`));
        let stored: string | null;
        try {
          stored = await app.dataTier.redis.get(topOfBookKeyFor(symbol));
        } catch {
          return refuse(ApiError.unavailable('Redis is unavailable; retry later'));
        }
        const top: TopOfBook = stored === null ? { symbol } : JSON.parse(stored);
        return presentTopOfBook(top, spec);
      },
    );
  },
  { name: 'book-routes', dependencies: ['data-tier'], encapsulate: true },
);
