/**
 * One shard's matching state around the pure engine: the engine itself, the
 * stored form of every open order (to upsert makers as they fill) and the
 * shard's seq counter. `apply` turns a batch of commands into the effects to
 * commit (orders, trades) and the reports to publish once they are committed.
 */
import { MatchingEngine } from '../engine';
import type { CancelOrderCommand, EngineEvent, NewOrderCommand, TopOfBook, TradeEvent } from '../engine/types';
import { clientOrderKey } from '../db/orders';
import type { ShardJournal, StoredOrder, StoredTrade } from '../db/journal';
import type { CommandEnvelope, ExecutionReport, Fill, OrderView } from '../streams';

export interface OutboundReport {
  replyTo: string;
  report: ExecutionReport;
}

export interface BatchEffects {
  /** Each order created or changed by the batch, once, in its final state. */
  orders: StoredOrder[];
  trades: StoredTrade[];
  /** One per command, in command order. */
  reports: OutboundReport[];
  /** Symbols whose book the batch may have changed. */
  symbols: Set<string>;
  lastSeq: number;
}

/** The engine and the order records disagree: a bug, not an input error. */
export class ShardStateError extends Error {}

function orderViewOf(order: StoredOrder, fills: Fill[]): OrderView {
  const view: OrderView = {
    orderId: order.orderId,
    account: order.account,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    quantity: order.quantity,
    timeInForce: order.timeInForce,
    status: order.status,
    filledQuantity: order.filledQuantity,
    leavesQuantity: order.leavesQuantity,
    fills,
  };
  if (order.clientOrderId !== undefined) view.clientOrderId = order.clientOrderId;
  if (order.price !== undefined) view.price = order.price;
  if (order.reason !== undefined) view.reason = order.reason;
  return view;
}

/** Working set of one batch. */
interface BatchWork {
  changed: Map<string, StoredOrder>;
  trades: StoredTrade[];
  /** (account, clientOrderId) pairs already used: stored ones plus those earlier in the batch. */
  takenClientOrderIds: Map<string, string>;
}

export class ShardState {
  private constructor(
    private readonly engine: MatchingEngine,
    /** Orders resting on the book, by orderId. */
    private readonly openOrders: Map<string, StoredOrder>,
    private lastSeq: number,
  ) {}

  /** Rebuilds the book from the journal: resting orders in seq (time priority) order. */
  static fromJournal(journal: ShardJournal): ShardState {
    const engine = MatchingEngine.restore({
      orders: journal.restingOrders.map((order) => ({
        orderId: order.orderId,
        symbol: order.symbol,
        side: order.side,
        price: order.price!,
        quantity: order.leavesQuantity,
        account: order.account,
      })),
      finishedOrderIds: [],
    });
    const openOrders = new Map(journal.restingOrders.map((order) => [order.orderId, { ...order }]));
    return new ShardState(engine, openOrders, journal.lastSeq);
  }

  get openOrderCount(): number {
    return this.openOrders.size;
  }

  topOfBook(symbol: string): TopOfBook {
    return this.engine.topOfBook(symbol);
  }

  /** Matches the commands in order. `takenClientOrderIds`: clientOrderKey → orderId of pairs already stored. */
  apply(commands: CommandEnvelope[], takenClientOrderIds: Map<string, string>): BatchEffects {
    const work: BatchWork = { changed: new Map(), trades: [], takenClientOrderIds: new Map(takenClientOrderIds) };
    const reports: OutboundReport[] = [];
    const symbols = new Set<string>();
    for (const envelope of commands) {
      const { command } = envelope;
      symbols.add(command.symbol);
      const report = command.op === 'new' ? this.applyNew(envelope, command, work) : this.applyCancel(envelope, command, work);
      reports.push({ replyTo: envelope.replyTo, report });
    }
    return { orders: [...work.changed.values()], trades: work.trades, reports, symbols, lastSeq: this.lastSeq };
  }

  private applyNew(envelope: CommandEnvelope, command: NewOrderCommand, work: BatchWork): ExecutionReport {
    const { requestId } = envelope;
    const account = command.account ?? '';
    if (envelope.clientOrderId !== undefined) {
      const key = clientOrderKey(account, envelope.clientOrderId);
      const existingOrderId = work.takenClientOrderIds.get(key);
      if (existingOrderId !== undefined) return { kind: 'duplicate', requestId, existingOrderId };
      work.takenClientOrderIds.set(key, command.orderId);
    }
    let taker: StoredOrder | undefined;
    const fills: Fill[] = [];
    for (const event of this.engine.process(command)) {
      switch (event.type) {
        case 'accepted':
          taker = this.newRecord(envelope, command, 'new');
          this.openOrders.set(taker.orderId, taker);
          work.changed.set(taker.orderId, taker);
          break;
        case 'rejected':
          // The id is already used: the stored order with that id is the answer.
          if (event.reason === 'duplicate-order-id') return { kind: 'duplicate', requestId, existingOrderId: command.orderId };
          taker = this.newRecord(envelope, command, 'rejected', event.reason);
          work.changed.set(taker.orderId, taker);
          break;
        case 'trade':
          fills.push(this.applyTrade(event, work));
          break;
        case 'cancelled':
          this.applyCancelled(event, work);
          break;
      }
    }
    if (taker === undefined) throw new ShardStateError(`the engine reported nothing about new order ${command.orderId}`);
    taker.ackStatus = taker.status;
    return { kind: 'order', requestId, order: orderViewOf(taker, fills) };
  }

  private applyCancel(envelope: CommandEnvelope, command: CancelOrderCommand, work: BatchWork): ExecutionReport {
    const report: ExecutionReport = { kind: 'cancel', requestId: envelope.requestId, orderId: command.orderId, outcome: 'rejected' };
    for (const event of this.engine.process(command)) {
      if (event.type === 'cancelled') {
        this.applyCancelled(event, work);
        if (event.orderId === command.orderId) report.outcome = 'cancelled';
      } else if (event.type === 'rejected') {
        report.reason = event.reason;
      }
    }
    return report;
  }

  private newRecord(envelope: CommandEnvelope, command: NewOrderCommand, status: 'new' | 'rejected', reason?: string): StoredOrder {
    const rejected = status === 'rejected';
    const order: StoredOrder = {
      orderId: command.orderId,
      account: command.account ?? '',
      symbol: command.symbol,
      side: command.side,
      type: command.type,
      quantity: command.quantity,
      timeInForce: command.timeInForce ?? 'GTC',
      status,
      ackStatus: status,
      filledQuantity: 0,
      leavesQuantity: rejected ? 0 : command.quantity,
      seq: ++this.lastSeq,
    };
    if (envelope.clientOrderId !== undefined) order.clientOrderId = envelope.clientOrderId;
    if (command.price !== undefined) order.price = command.price;
    if (reason !== undefined) order.reason = reason;
    return order;
  }

  private openOrder(orderId: string, work: BatchWork): StoredOrder {
    const order = this.openOrders.get(orderId);
    if (order === undefined) throw new ShardStateError(`the engine reported an event for ${orderId}, which is not open`);
    work.changed.set(orderId, order);
    return order;
  }

  private applyTrade(event: TradeEvent, work: BatchWork): Fill {
    for (const orderId of [event.makerOrderId, event.takerOrderId]) {
      const order = this.openOrder(orderId, work);
      order.filledQuantity += event.quantity;
      order.leavesQuantity -= event.quantity;
      order.status = order.leavesQuantity === 0 ? 'filled' : 'partially_filled';
      if (order.leavesQuantity === 0) this.openOrders.delete(orderId);
    }
    work.trades.push({
      tradeId: event.tradeId,
      seq: ++this.lastSeq,
      symbol: event.symbol,
      price: event.price,
      quantity: event.quantity,
      makerOrderId: event.makerOrderId,
      takerOrderId: event.takerOrderId,
      takerSide: event.takerSide,
    });
    return { tradeId: event.tradeId, price: event.price, quantity: event.quantity };
  }

  private applyCancelled(event: Extract<EngineEvent, { type: 'cancelled' }>, work: BatchWork): void {
    const order = this.openOrder(event.orderId, work);
    order.status = 'cancelled';
    order.leavesQuantity = 0;
    order.reason = event.reason;
    this.openOrders.delete(event.orderId);
  }
}
