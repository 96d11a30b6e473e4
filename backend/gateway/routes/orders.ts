/**
 * The order routes: place (POST), read (GET one, GET by account) and cancel
 * (DELETE). Placing and cancelling send a command to the symbol's shard and
 * wait for its execution report; the engine publishes a report only after
 * committing the command's effects to PostgreSQL, so a 201 is durable.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import {
  errorResponse,
  newOrderBodySchema,
  NewOrderRequest,
  orderIdParamsSchema,
  orderResponse,
  ordersListResponse,
  ordersQuerySchema,
} from '../../api/schemas';
import { parseSymbols, SymbolSpec } from '../../config/symbols';
import type { NewOrderCommand, RoutedCommand } from '../../engine/types';
import { findAcknowledgements, findOrder, findOrdersByAccount } from '../../db/orders';
import { idempotencyKeyFor, isOpenStatus, ordersStreamFor, OrderView, shardOf } from '../../streams';
import { Claim, CommandBatcher } from '../commandBatcher';
import { ApiError } from '../errors';
import { newOrderCommand, orderFingerprint } from '../intake';
import { OrderIdGenerator } from '../orderIds';
import { presentOrder } from '../presenter';

export interface GatewayLimits {
  /** Orders and cancels waiting for a report in this process at most; beyond, 503. Default 4096. */
  maxInFlight: number;
  /** How long a request waits for its report before answering 504. Default 5000 ms. */
  reportDeadlineMs: number;
}

export const DEFAULT_LIMITS: GatewayLimits = { maxInFlight: 4096, reportDeadlineMs: 5000 };

/** How long Redis keeps an idempotency claim; PostgreSQL's unique constraint holds forever. */
const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** How often a retry polls PostgreSQL for the original order while that one is still in flight. */
const RETRY_POLL_MS = 20;

export interface OrderRoutesOptions {
  symbols: Map<string, SymbolSpec>;
  engineShards: number;
  limits: GatewayLimits;
}

/** A placed (201) or replayed (200) order. */
interface Placed {
  statusCode: 200 | 201;
  order: OrderView;
}

function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
  return reply.code(error.statusCode).send(error.body());
}

const orderErrors = { 400: errorResponse, 404: errorResponse, 409: errorResponse, 413: errorResponse, 415: errorResponse, 500: errorResponse, 503: errorResponse, 504: errorResponse };

export const orderRoutes = fp<OrderRoutesOptions>(
  async (app, { symbols, engineShards, limits }) => {
    const { dataTier, reports, metrics } = app;
    const ids = new OrderIdGenerator();
    const commands = new CommandBatcher(dataTier.redis);
    let inFlight = 0;
    metrics.inFlightCount = () => inFlight;

    /** The spec to print an order's prices with, even for a symbol no longer configured. */
    const specOf = (symbol: string): SymbolSpec => symbols.get(symbol) ?? parseSymbols(symbol).get(symbol)!;
    const present = (order: OrderView) => presentOrder(order, specOf(order.symbol));

    /** Runs `work` as one request in flight, or refuses it when the data tier is down or the process is full. */
    async function inFlightSlot<T>(work: () => Promise<T | ApiError>): Promise<T | ApiError> {
      if (!dataTier.available()) return ApiError.unavailable('Redis or PostgreSQL is unavailable; retry later');
      if (inFlight >= limits.maxInFlight) return ApiError.overloaded(limits.maxInFlight);
      inFlight++;
      try {
        return await work();
      } catch (error) {
        // What throws here is Redis refusing the command (PostgreSQL reads answer errors as values).
        app.log.warn({ err: (error as Error).message }, 'order path failed');
        return ApiError.unavailable('Redis is unavailable; retry later');
      } finally {
        inFlight--;
      }
    }

    /** A read from PostgreSQL, or a 503 when it is unreachable. */
    async function fromPostgres<T>(read: () => Promise<T>): Promise<T | ApiError> {
      try {
        return await read();
      } catch (error) {
        dataTier.noteFailure(error);
        return ApiError.unavailable('PostgreSQL is unavailable; retry later');
      }
    }

    /**
     * Enqueues the command (after taking its idempotency claim, if any) and waits
     * for its report; the waiter is registered first. Returns the claim an
     * earlier order holds instead, when there is one (nothing is enqueued then).
     */
    async function send(command: RoutedCommand, requestId: string, clientOrderId?: string, claim?: Claim) {
      const report = reports.expect(requestId, limits.reportDeadlineMs);
      const envelope = { command, replyTo: reports.replyTo, requestId, ...(clientOrderId === undefined ? {} : { clientOrderId }) };
      let previousClaim: string | undefined;
      try {
        previousClaim = await commands.send(ordersStreamFor(shardOf(command.symbol, engineShards)), envelope, claim);
      } catch (error) {
        reports.forget(requestId);
        throw error;
      }
      if (previousClaim === undefined) return { report: await report };
      reports.forget(requestId);
      return { previousClaim };
    }

    /**
     * The original result of an order placed under the same clientOrderId, once
     * it is in PostgreSQL (it may still be in flight, on this or another gateway).
     */
    async function replay(orderId: string, fingerprint: string): Promise<Placed | ApiError> {
      const deadline = Date.now() + limits.reportDeadlineMs;
      for (;;) {
        const found = await fromPostgres(() => findAcknowledgements(dataTier.pool, [orderId]));
        if (found instanceof ApiError) return found;
        const original = found.get(orderId);
        if (original !== undefined) {
          if (orderFingerprint(original) !== fingerprint) return clientOrderIdConflict(orderId);
          return { statusCode: 200, order: original };
        }
        if (Date.now() >= deadline) return ApiError.timeout(orderId, limits.reportDeadlineMs);
        await sleep(RETRY_POLL_MS);
      }
    }

    const clientOrderIdConflict = (orderId: string) =>
      ApiError.conflict(`clientOrderId is already used by order ${orderId} with a different body`, { field: 'clientOrderId', orderId });

    async function place(command: NewOrderCommand, clientOrderId: string | undefined): Promise<Placed | ApiError> {
      const fingerprint = orderFingerprint(command);
      // One atomic claim across all gateways: the first request wins, later ones learn the winner.
      const claim: Claim | undefined =
        clientOrderId === undefined
          ? undefined
          : { key: idempotencyKeyFor(command.account!, clientOrderId), value: `${command.orderId} ${fingerprint}`, ttlSeconds: IDEMPOTENCY_TTL_SECONDS };
      const sent = await send(command, command.orderId, clientOrderId, claim);
      if (sent.previousClaim !== undefined) {
        const [orderId, claimedFingerprint] = sent.previousClaim.split(' ');
        return claimedFingerprint === fingerprint ? replay(orderId, fingerprint) : clientOrderIdConflict(orderId);
      }
      const { report } = sent;
      if (report === undefined) return ApiError.timeout(command.orderId, limits.reportDeadlineMs);
      if (report.kind === 'order') return { statusCode: 201, order: report.order };
      if (report.kind === 'duplicate') {
        // PostgreSQL already holds this clientOrderId (its Redis claim was lost): restore the claim, answer as a retry.
        if (claim !== undefined) {
          await dataTier.redis.set(claim.key, `${report.existingOrderId} ${fingerprint}`, 'EX', IDEMPOTENCY_TTL_SECONDS).catch(() => undefined);
        }
        return replay(report.existingOrderId, fingerprint);
      }
      return new ApiError(500, 'internal', `unexpected ${report.kind} report for new order ${command.orderId}`);
    }

    app.post(
      '/api/orders',
      {
        schema: {
          tags: ['orders'],
          summary: 'Place an order; 201 once it and its fills are committed',
          body: newOrderBodySchema([...symbols.keys()]),
          response: { 200: orderResponse, 201: orderResponse, ...orderErrors },
        },
      },
      async (request, reply) => {
        const body = request.body as NewOrderRequest;
        const command = newOrderCommand(body, symbols.get(body.symbol)!, ids.next());
        if (command instanceof ApiError) return sendError(reply, command);
        const placed = await inFlightSlot(() => place(command, body.clientOrderId));
        if (placed instanceof ApiError) {
          metrics.countOrder(placed.error);
          return sendError(reply, placed);
        }
        metrics.countOrder(placed.order.status);
        return reply.code(placed.statusCode).send(present(placed.order));
      },
    );

    app.get(
      '/api/orders/:id',
      {
        schema: {
          tags: ['orders'],
          summary: "An order's current state and all its fills",
          params: orderIdParamsSchema,
          response: { 200: orderResponse, 404: errorResponse, 503: errorResponse },
        },
      },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        const order = await fromPostgres(() => findOrder(dataTier.pool, id));
        if (order instanceof ApiError) return sendError(reply, order);
        if (order === undefined) return sendError(reply, ApiError.notFound(`order ${id} not found`));
        return present(order);
      },
    );

    app.get(
      '/api/orders',
      {
        schema: {
          tags: ['orders'],
          summary: "An account's latest orders, newest first",
          querystring: ordersQuerySchema,
          response: { 200: ordersListResponse, 400: errorResponse, 503: errorResponse },
        },
      },
      async (request, reply) => {
        const { account, limit } = request.query as { account: string; limit: number };
        const orders = await fromPostgres(() => findOrdersByAccount(dataTier.pool, account, limit));
        if (orders instanceof ApiError) return sendError(reply, orders);
        return { orders: orders.map(present) };
      },
    );

    async function cancel(orderId: string): Promise<OrderView | ApiError> {
      const order = await fromPostgres(() => findOrder(dataTier.pool, orderId));
      if (order instanceof ApiError) return order;
      if (order === undefined) return ApiError.notFound(`order ${orderId} not found`);
      if (!isOpenStatus(order.status)) return ApiError.conflict(`order ${orderId} is already ${order.status}`, { orderId });
      const { report } = await send({ op: 'cancel', orderId, symbol: order.symbol }, ids.next());
      if (report === undefined) return ApiError.timeout(orderId, limits.reportDeadlineMs);
      const current = await fromPostgres(() => findOrder(dataTier.pool, orderId));
      if (current instanceof ApiError) return current;
      if (report.kind !== 'cancel' || report.outcome !== 'cancelled') {
        return ApiError.conflict(`order ${orderId} is already ${current?.status ?? 'finished'}`, { orderId });
      }
      return current!;
    }

    app.delete(
      '/api/orders/:id',
      {
        schema: {
          tags: ['orders'],
          summary: 'Cancel the open remainder of an order',
          params: orderIdParamsSchema,
          response: { 200: orderResponse, 404: errorResponse, 409: errorResponse, 503: errorResponse, 504: errorResponse },
        },
      },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        const result = await inFlightSlot(() => cancel(id));
        if (result instanceof ApiError) return sendError(reply, result);
        return present(result);
      },
    );
  },
  { name: 'order-routes', dependencies: ['data-tier', 'reports', 'metrics'], encapsulate: true },
);
