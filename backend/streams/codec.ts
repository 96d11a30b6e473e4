/**
 * What travels on the streams: command envelopes (gateway → engine) and
 * execution reports (engine → gateway). A stream entry holds a JSON array of
 * them in one field: the gateway sends the commands that arrived in the same
 * event-loop turn as one entry, the engine the reports of one batch for one
 * gateway process as one entry (fewer Redis operations per order). Decoders
 * check the shape, since anything with Redis access can write to a stream; a
 * malformed item decodes to an error value, not an exception.
 */
import { OrderType, RejectReason, RoutedCommand, Side, TimeInForce, ORDER_TYPES, SIDES, TIMES_IN_FORCE } from '../engine/types';

export const ORDER_STATUSES = ['new', 'partially_filled', 'filled', 'cancelled', 'rejected'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Still on the book, so it can trade or be cancelled. */
export function isOpenStatus(status: OrderStatus): boolean {
  return status === 'new' || status === 'partially_filled';
}

/** One fill of an order, in ticks and lots. */
export interface Fill {
  tradeId: string;
  price: number;
  quantity: number;
}

/** An order's state in ticks and lots; the gateway turns it into the API's shape. */
export interface OrderView {
  orderId: string;
  clientOrderId?: string;
  account: string;
  symbol: string;
  side: Side;
  type: OrderType;
  /** Limit price in ticks; absent for market orders. */
  price?: number;
  quantity: number;
  timeInForce: TimeInForce;
  status: OrderStatus;
  filledQuantity: number;
  leavesQuantity: number;
  /** Why it was rejected or cancelled, when it was. */
  reason?: string;
  fills: Fill[];
}

/** A command plus where its report goes. */
export interface CommandEnvelope {
  command: RoutedCommand;
  /** The report goes to `reportsStreamFor(replyTo)`. */
  replyTo: string;
  /** What the waiting request is keyed by: the orderId of a `new`, a fresh id for a `cancel`. */
  requestId: string;
  /** `new` only: the client's idempotency id, stored with the order. */
  clientOrderId?: string;
}

/**
 * One report per command:
 * - `order`: the order's state right after its `new` command (its own fills only);
 * - `duplicate`: the (account, clientOrderId) already belongs to `existingOrderId`; nothing was matched;
 * - `cancel`: the outcome of a `cancel` command.
 */
export type ExecutionReport =
  | { kind: 'order'; requestId: string; order: OrderView }
  | { kind: 'duplicate'; requestId: string; existingOrderId: string }
  | { kind: 'cancel'; requestId: string; orderId: string; outcome: 'cancelled' | 'rejected'; reason?: RejectReason };

/** The field of a stream entry that holds the JSON payload. */
export const PAYLOAD_FIELD = 'p';

/** What one entry held: the items that are well formed, and why the others are not. */
export interface DecodedEntry<T> {
  items: T[];
  errors: string[];
}

export function encodeCommands(envelopes: CommandEnvelope[]): string {
  return JSON.stringify(envelopes);
}

export function encodeReports(reports: ExecutionReport[]): string {
  return JSON.stringify(reports);
}

/** Picks the payload out of a stream entry's flat [field, value, …] list. */
export function payloadOf(fields: string[]): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === PAYLOAD_FIELD) return fields[i + 1];
  }
  return undefined;
}

const isString = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isLots = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;

function commandError(command: Record<string, unknown>): string | undefined {
  if (!isString(command.orderId)) return 'orderId';
  if (!isString(command.symbol)) return 'symbol';
  if (command.op === 'cancel') return undefined;
  if (command.op !== 'new') return 'op';
  if (!SIDES.includes(command.side as Side)) return 'side';
  if (!ORDER_TYPES.includes(command.type as OrderType)) return 'type';
  if (command.price !== undefined && !isLots(command.price)) return 'price';
  if (!isLots(command.quantity)) return 'quantity';
  if (command.timeInForce !== undefined && !TIMES_IN_FORCE.includes(command.timeInForce as TimeInForce)) return 'timeInForce';
  if (command.account !== undefined && typeof command.account !== 'string') return 'account';
  return undefined;
}

function envelopeError(value: Record<string, unknown>): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  if (!isString(value.replyTo) || !isString(value.requestId)) return 'replyTo or requestId missing';
  if (value.clientOrderId !== undefined && !isString(value.clientOrderId)) return 'clientOrderId is not a string';
  const command = value.command as Record<string, unknown> | null;
  if (typeof command !== 'object' || command === null) return 'command missing';
  const bad = commandError(command);
  return bad === undefined ? undefined : `command.${bad} is invalid`;
}

function reportError(value: Record<string, unknown>): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  if (!isString(value.requestId)) return 'requestId missing';
  return ['order', 'duplicate', 'cancel'].includes(value.kind as string) ? undefined : 'unknown kind';
}

function decodeArray<T>(payload: string | undefined, itemError: (value: Record<string, unknown>) => string | undefined): DecodedEntry<T> {
  if (payload === undefined) return { items: [], errors: [`no "${PAYLOAD_FIELD}" field`] };
  let values: unknown;
  try {
    values = JSON.parse(payload);
  } catch {
    return { items: [], errors: ['payload is not JSON'] };
  }
  if (!Array.isArray(values)) return { items: [], errors: ['payload is not an array'] };
  const decoded: DecodedEntry<T> = { items: [], errors: [] };
  values.forEach((value, index) => {
    const error = itemError(value);
    if (error === undefined) decoded.items.push(value as T);
    else decoded.errors.push(`item ${index}: ${error}`);
  });
  return decoded;
}

export function decodeCommands(payload: string | undefined): DecodedEntry<CommandEnvelope> {
  return decodeArray(payload, envelopeError);
}

export function decodeReports(payload: string | undefined): DecodedEntry<ExecutionReport> {
  return decodeArray(payload, reportError);
}

/** Orders Redis stream ids ("ms-seq") numerically: negative, zero or positive like a comparator. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq = '0'] = a.split('-');
  const [bMs, bSeq = '0'] = b.split('-');
  const byMs = BigInt(aMs) - BigInt(bMs);
  if (byMs !== 0n) return byMs < 0n ? -1 : 1;
  const bySeq = BigInt(aSeq) - BigInt(bSeq);
  return bySeq === 0n ? 0 : bySeq < 0n ? -1 : 1;
}
