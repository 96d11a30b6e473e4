/**
 * The gateway's HTTP contract as JSON schemas: fastify validates requests and
 * serializes responses with them, and @fastify/swagger publishes them as the
 * OpenAPI document at /docs. Prices are decimal strings on the wire.
 */
import { ORDER_TYPES, SIDES, TIMES_IN_FORCE, OrderType, Side, TimeInForce } from '../engine/types';
import { ORDER_STATUSES, OrderStatus } from '../streams';

/** Largest quantity accepted in one order (lots). */
export const MAX_QUANTITY = 1_000_000_000;
/** Request bodies larger than this are refused with 413. */
export const MAX_BODY_BYTES = 4096;
const IDENTIFIER_PATTERN = '^[A-Za-z0-9._:-]{1,64}$';

/** The body of POST /api/orders, after validation. */
export interface NewOrderRequest {
  symbol: string;
  side: Side;
  type: OrderType;
  price?: string | number;
  quantity: number;
  timeInForce: TimeInForce;
  account: string;
  clientOrderId?: string;
}

export interface ApiFill {
  tradeId: string;
  price: string;
  quantity: number;
}

/** An order as the API answers it. */
export interface ApiOrder {
  orderId: string;
  clientOrderId: string | null;
  account: string;
  symbol: string;
  side: Side;
  type: OrderType;
  price: string | null;
  quantity: number;
  timeInForce: TimeInForce;
  status: OrderStatus;
  filledQuantity: number;
  leavesQuantity: number;
  averagePrice: string | null;
  reason: string | null;
  fills: ApiFill[];
}

export interface ApiErrorBody {
  error: string;
  message: string;
  field?: string;
  orderId?: string;
}

export interface ApiBookLevel {
  price: string;
  quantity: number;
  orders: number;
}

export interface ApiTopOfBook {
  symbol: string;
  bid: ApiBookLevel | null;
  ask: ApiBookLevel | null;
}

export function newOrderBodySchema(symbols: string[]) {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['symbol', 'side', 'type', 'quantity', 'account'],
    properties: {
      symbol: { type: 'string', enum: symbols },
      side: { type: 'string', enum: SIDES },
      type: { type: 'string', enum: ORDER_TYPES },
      price: {
        anyOf: [{ type: 'string', maxLength: 32 }, { type: 'number' }],
        description: 'Limit price on the symbol\'s tick grid, as a decimal string ("101.25") or a number; limit orders only',
      },
      quantity: { type: 'integer', minimum: 1, maximum: MAX_QUANTITY, description: 'Lots' },
      timeInForce: { type: 'string', enum: TIMES_IN_FORCE, default: 'GTC' },
      account: { type: 'string', pattern: IDENTIFIER_PATTERN },
      clientOrderId: { type: 'string', pattern: IDENTIFIER_PATTERN, description: 'Idempotency key within the account: a retry returns the original result' },
    },
  } as const;
}

export const orderIdParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

export const ordersQuerySchema = {
  type: 'object',
  required: ['account'],
  properties: {
    account: { type: 'string', pattern: IDENTIFIER_PATTERN },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  },
} as const;

export const symbolParamsSchema = {
  type: 'object',
  required: ['symbol'],
  properties: { symbol: { type: 'string', maxLength: 32 } },
} as const;

const nullableString = { type: 'string', nullable: true } as const;

/** Shared schemas, registered with `addSchema` and referenced as `{ $ref: '<id>#' }`. */
export const sharedSchemas = [
  {
    $id: 'ApiError',
    type: 'object',
    required: ['error', 'message'],
    properties: {
      error: { type: 'string', description: 'Machine-readable code, e.g. invalid_request' },
      message: { type: 'string', description: 'What is wrong, naming the field' },
      field: { type: 'string' },
      orderId: { type: 'string', description: 'The order concerned (e.g. a 504: it may still execute)' },
    },
  },
  {
    $id: 'Order',
    type: 'object',
    required: ['orderId', 'account', 'symbol', 'side', 'type', 'quantity', 'timeInForce', 'status', 'filledQuantity', 'leavesQuantity', 'fills'],
    properties: {
      orderId: { type: 'string', description: 'Unique and time ordered (lexicographically)' },
      clientOrderId: nullableString,
      account: { type: 'string' },
      symbol: { type: 'string' },
      side: { type: 'string', enum: SIDES },
      type: { type: 'string', enum: ORDER_TYPES },
      price: nullableString,
      quantity: { type: 'integer' },
      timeInForce: { type: 'string', enum: TIMES_IN_FORCE },
      status: { type: 'string', enum: ORDER_STATUSES },
      filledQuantity: { type: 'integer' },
      leavesQuantity: { type: 'integer', description: 'Quantity still open on the book' },
      averagePrice: { ...nullableString, description: 'Volume-weighted fill price' },
      reason: { ...nullableString, description: 'Why it was rejected or cancelled' },
      fills: {
        type: 'array',
        items: {
          type: 'object',
          required: ['tradeId', 'price', 'quantity'],
          properties: { tradeId: { type: 'string' }, price: { type: 'string' }, quantity: { type: 'integer' } },
        },
      },
    },
  },
  {
    $id: 'BookLevel',
    type: 'object',
    nullable: true,
    required: ['price', 'quantity', 'orders'],
    properties: { price: { type: 'string' }, quantity: { type: 'integer' }, orders: { type: 'integer' } },
  },
] as const;

export const errorResponse = { $ref: 'ApiError#' } as const;
export const orderResponse = { $ref: 'Order#' } as const;

export const ordersListResponse = {
  type: 'object',
  required: ['orders'],
  properties: { orders: { type: 'array', items: orderResponse } },
} as const;

export const topOfBookResponse = {
  type: 'object',
  required: ['symbol', 'bid', 'ask'],
  properties: { symbol: { type: 'string' }, bid: { $ref: 'BookLevel#' }, ask: { $ref: 'BookLevel#' } },
} as const;

export const healthResponse = {
  type: 'object',
  properties: { status: { type: 'string' }, gatewayId: { type: 'string' }, worker: { type: 'integer' } },
} as const;

export const readyResponse = {
  type: 'object',
  properties: { status: { type: 'string' }, redis: { type: 'string' }, postgres: { type: 'string' } },
} as const;
