/**
 * One shard's matching state around the pure engine: the engine itself, the
 * quantities of every open order (to write a maker's state as it fills) and
 * the shard's seq counter. `apply` turns a batch of commands into the effects
 * to commit (new orders, updates of earlier ones, trades) and the reports to
 * publish once they are committed.
 */
import { MatchingEngine } from '../engine';
import type { CancelOrderCommand, EngineEvent, NewOrderCommand, TopOfBook, TradeEvent } from '../engine/types';
import { clientOrderKey } from '../db/orders';
import type { OrderUpdate, ShardJournal, StoredOrder, StoredTrade } from '../db/journal';
import type { CommandEnvelope, ExecutionReport, Fill, OrderView } from '../streams';

export interface OutboundReport {
  replyTo: string;
  report: ExecutionReport;
}

export interface BatchEffects {
  /** Each order created by the batch, once, in its final state. */
  orders: StoredOrder[];
  /** Each order of an earlier batch that the batch changed, once, in its final state. */
  orderUpdates: OrderUpdate[];
  trades: StoredTrade[];
  /** One per command, in command order. */
  reports: OutboundReport[];
  /** Symbols whose book the batch may have changed. */
  symbols: Set<string>;
  lastSeq: number;
}

/** The engine and the order records disagree: a bug, not an input error. */
export class ShardStateError extends Error {}

/**
 * Orders accepted before the engine forgets the ids of finished orders.
 * The pure engine remembers every id it ever accepted (to refuse duplicates):
 * tens of bytes an order, without bound, and every full GC walks them all
 * (its pauses grow with them). Forgetting keeps the ids of resting orders
 * only, as a restart does (the books are then rebuilt from PostgreSQL's open
 * orders): matching is the same; an id of a finished order is no longer
 * refused, which nothing relies on, since the gateways' ids are unique by
 * construction.
 */
export const FORGET_FINISHED_IDS_AFTER = 1_000_000;

/**
 * What the shard keeps of an order resting on the book: its quantities, enough
 * to write its new state when it trades or is cancelled (by id, see
 * commitBatch). The rest of it is in PostgreSQL, and in the engine for
 * matching: a few tens of bytes an order rather than its whole record.
 */
interface OpenOrder {
  orderedQuantity: number;
  leavesQuantity: number;
}

/** The columns an event changes, in an order created by the batch or in the update of an earlier one. */
type OrderState = Pick<StoredOrder, 'status' | 'filledQuantity' | 'leavesQuantity' | 'reason'>;

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
  /** Orders created by the batch, by orderId. */
  created: Map<string, StoredOrder>;
  /** Orders of earlier batches changed by this one, by orderId. */
  updated: Map<string, OrderUpdate>;
  trades: StoredTrade[];
  /** (account, clientOrderId) pairs already used: stored ones plus those earlier in the batch. */
  takenClientOrderIds: Map<string, string>;
}

export class ShardState {
  /** Orders accepted since the engine was built or last forgot finished ids. */
  private acceptedSinceForgetting = 0;
  private forgettings = 0;

  private constructor(
    private readonly engine: MatchingEngine,
    /** Orders resting on the book, by orderId. */
    private readonly openOrders: Map<string, OpenOrder>,
    private lastSeq: number,
    private readonly forgetAfter: number,
  ) {}

  /**
   * Rebuilds the book from the journal: resting orders in seq (time priority) order.
   * `forgetAfter`: see FORGET_FINISHED_IDS_AFTER (smaller in tests).
   */
  static fromJournal(journal: ShardJournal, forgetAfter = FORGET_FINISHED_IDS_AFTER): ShardState {
    const openOrders = new Map<string, OpenOrder>();
    for (const order of journal.restingOrders) {
      openOrders.set(order.orderId, { orderedQuantity: order.orderedQuantity, leavesQuantity: order.quantity });
    }
    const engine = MatchingEngine.restore({ orders: journal.restingOrders, finishedOrderIds: [] });
    return new ShardState(engine, openOrders, journal.lastSeq, forgetAfter);
  }

  get openOrderCount(): number {
    return this.openOrders.size;
  }

  /** Times the engine forgot the ids of finished orders since this state was built (see FORGET_FINISHED_IDS_AFTER). */
  get finishedIdsForgotten(): number {
    return this.forgettings;
  }

  topOfBook(symbol: string): TopOfBook {
    return this.engine.topOfBook(symbol);
  }

  /** Matches the commands in order. `takenClientOrderIds`: clientOrderKey → orderId of pairs already stored. */
  apply(commands: CommandEnvelope[], takenClientOrderIds: Map<string, string>): BatchEffects {
    const work: BatchWork = { created: new Map(), updated: new Map(), trades: [], takenClientOrderIds: new Map(takenClientOrderIds) };
    const reports: OutboundReport[] = [];
    const symbols = new Set<string>();
    for (const envelope of commands) {
      const { command } = envelope;
      symbols.add(command.symbol);
      const report = command.op === 'new' ? this.applyNew(envelope, command, work) : this.applyCancel(envelope, command, work);
      reports.push({ replyTo: envelope.replyTo, report });
    }
    // Forgetting takes about 0.6 µs per resting order, all at once (half a second with 800,000 resting, here):
    // waiting until the orders accepted since the last time are at least as many as the resting ones keeps it
    // under 0.6 µs per accepted order, and the ids kept within the larger of forgetAfter and the resting orders.
    if (this.acceptedSinceForgetting >= Math.max(this.forgetAfter, this.openOrders.size)) {
      this.engine.forgetFinishedOrderIds();
      this.acceptedSinceForgetting = 0;
      this.forgettings++;
    }
    return {
      orders: [...work.created.values()],
      orderUpdates: [...work.updated.values()],
      trades: work.trades,
      reports,
      symbols,
      lastSeq: this.lastSeq,
    };
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
          this.acceptedSinceForgetting++;
          taker = this.newRecord(envelope, command, 'new');
          this.openOrders.set(taker.orderId, { orderedQuantity: taker.quantity, leavesQuantity: taker.leavesQuantity });
          work.created.set(taker.orderId, taker);
          break;
        case 'rejected':
          // The id is already used: the stored order with that id is the answer.
          if (event.reason === 'duplicate-order-id') return { kind: 'duplicate', requestId, existingOrderId: command.orderId };
          taker = this.newRecord(envelope, command, 'rejected', event.reason);
          work.created.set(taker.orderId, taker);
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
    // A market order's price, if one came, is not its limit (the engine ignores it): not stored either.
    if (command.type === 'limit' && command.price !== undefined) order.price = command.price;
    if (reason !== undefined) order.reason = reason;
    return order;
  }

  /** The open order `orderId`, which an event of the engine names. */
  private openOrder(orderId: string): OpenOrder {
    const open = this.openOrders.get(orderId);
    if (open === undefined) throw new ShardStateError(`the engine reported an event for ${orderId}, which is not open`);
    return open;
  }

  /** What the batch will write of the open order `orderId`: its record if the batch created it, else its update. */
  private stateOf(orderId: string, open: OpenOrder, work: BatchWork): OrderState {
    const created = work.created.get(orderId);
    if (created !== undefined) return created;
    let update = work.updated.get(orderId);
    if (update === undefined) {
      const filledQuantity = open.orderedQuantity - open.leavesQuantity;
      update = { orderId, status: filledQuantity > 0 ? 'partially_filled' : 'new', filledQuantity, leavesQuantity: open.leavesQuantity };
      work.updated.set(orderId, update);
    }
    return update;
  }

  private applyTrade(event: TradeEvent, work: BatchWork): Fill {
    for (const orderId of [event.makerOrderId, event.takerOrderId]) {
      const open = this.openOrder(orderId);
      const order = this.stateOf(orderId, open, work);
      order.filledQuantity += event.quantity;
      order.leavesQuantity -= event.quantity;
      order.status = order.leavesQuantity === 0 ? 'filled' : 'partially_filled';
      open.leavesQuantity = order.leavesQuantity;
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
    const order = this.stateOf(event.orderId, this.openOrder(event.orderId), work);
    order.status = 'cancelled';
    order.leavesQuantity = 0;
    order.reason = event.reason;
    this.openOrders.delete(event.orderId);
  }
}
