/**
 * The engine service of one shard: reads orders:{shard} through the consumer
 * group in batches, matches each batch with the pure engine, commits the
 * batch's effects and the checkpoint in one PostgreSQL transaction, then
 * publishes the execution reports and the top of book, then acknowledges.
 *
 * Batches are pipelined: while batch N's statement is at PostgreSQL, batch
 * N+1 is read and matched in memory; its statement goes as soon as N's
 * commit is known, so PostgreSQL never waits for the engine between commits.
 * Commits stay strictly in order (each is fenced on the previous one's
 * checkpoint), and a report still leaves only after its batch is committed.
 * If PostgreSQL refuses batch N, every batch matched after it is void too:
 * the books are rebuilt from PostgreSQL and both are matched again.
 *
 * Recovery: the books are rebuilt from PostgreSQL (resting orders in seq
 * order) and the pending entries are read again first. Entries at or below
 * the checkpoint are already committed: their reports are re-published from
 * PostgreSQL instead of being matched a second time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChainableCommander, Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { EngineEnv } from '../config/env';
import { BatchCommit, commitBatch, INITIAL_CHECKPOINT, loadShardJournal, readCheckpoint } from '../db/journal';
import { clientOrderKey, findAcknowledgements, findClientOrderIds } from '../db/orders';
import { isConnectionError } from '../db/pool';
import {
  CommandEnvelope,
  ENGINE_CONSUMER_GROUP,
  ExecutionReport,
  compareStreamIds,
  decodeCommands,
  encodeReports,
  ordersStreamFor,
  payloadOf,
  reportsStreamFor,
  shardOf,
  topOfBookKeyFor,
  PAYLOAD_FIELD,
  StopSignal,
} from '../streams';
import { EngineMetrics } from './metrics';
import { BatchEffects, OutboundReport, ShardState } from './shardState';

/** Stream entries read (and committed) per batch at most; an entry holds up to MAX_COMMANDS_PER_ENTRY commands. */
const BATCH_ENTRIES = 128;
const READ_BLOCK_MS = 1000;
/** Committed batches whose reports may wait for Redis before matching waits too. */
const MAX_QUEUED_PUBLICATIONS = 4;
/**
 * How long reports stay in a gateway's stream, by Redis's clock: twice the
 * gateways' report deadline (5 s), after which nobody waits for them. A
 * gateway reads its reports within milliseconds, so this only trims what it
 * has read, or what a dead gateway never will; Redis then holds about 10 s of
 * the report flow (some 600 bytes a report), however many gateways there
 * are. A cap of 10,000 entries a stream held about 27 MB a gateway process.
 */
const REPORTS_KEPT_MS = 10_000;
const RETRY_DELAY_MS = { first: 50, max: 2000 };

export interface EngineServiceDeps {
  logger: Logger;
  /** Blocking reads of orders:{shard}. */
  reader: Redis;
  /** Reports, acknowledgements, top of book. */
  writer: Redis;
  pool: Pool;
  metrics: EngineMetrics;
}

/** Another engine moved this shard's checkpoint: two writers for one shard, so this one must stop. */
export class FencedError extends Error {}
class StoppedError extends Error {}

type Dependency = 'postgres' | 'redis';

/** What a committed batch owes Redis: its reports (grouped per reply stream) and top of book, then the acknowledgement of its entries. */
interface Publication {
  reports: Map<string, ExecutionReport[]>;
  tops: [string, string][];
  ids: string[];
  /** The batch's checkpoint: entries up to it may be trimmed once acknowledged. */
  checkpoint: string;
}
type StreamEntry = [id: string, fields: string[] | null];

/** A batch read and matched in memory, waiting for (or at) PostgreSQL. */
interface PreparedBatch {
  ids: string[];
  /** Reports of entries committed before a restart, rebuilt from PostgreSQL. */
  replayedReports: OutboundReport[];
  /** Commands after the checkpoint, in stream order. */
  fresh: CommandEnvelope[];
  /** The last fresh entry: the checkpoint once committed. Undefined when nothing is fresh. */
  lastId?: string;
  /** `fresh` matched on the books as they were after the previous batch. */
  matched?: MatchedCommands;
  endTimer: () => void;
}

/**
 * Matched commands, and the top of book they left (taken at once: later
 * batches change the books). Their effects are theirs alone: later batches
 * record their own changes in objects of their own.
 */
interface MatchedCommands {
  effects: BatchEffects;
  tops: [string, string][];
}
export interface EngineHealth {
  /** The loop runs (it may be waiting for a dependency). */
  live: boolean;
  /** Books rebuilt and both dependencies reachable. */
  ready: boolean;
  shard: number;
  checkpoint: string;
  waitingFor?: Dependency;
}

const retryDelay = (attempt: number) => Math.min(RETRY_DELAY_MS.max, RETRY_DELAY_MS.first * 2 ** Math.min(attempt - 1, 6));

export class EngineService {
  private readonly stream: string;
  private readonly consumer: string;
  private readonly shardSymbols: string[];
  private state?: ShardState;
  /** The last entry whose effects are committed. */
  private checkpoint = INITIAL_CHECKPOINT;
  private running?: Promise<void>;
  private stopping = false;
  private readonly stopSignal = new StopSignal();
  private waitingFor?: Dependency;
  /** The batch at PostgreSQL (then being published), if any; the next batch's commit waits for it. */
  private committing?: Promise<void>;
  /** Until that batch's commit is known: a batch matched meanwhile was matched ahead (a metric). */
  private commitInProgress = false;
  /** A batch whose commit failed for good (another writer): the loop stops with it. */
  private fatal?: Error;
  /** Publications run one after another, in batch order (the last top of book must win). */
  private publishing: Promise<void> = Promise.resolve();
  private queuedPublications = 0;
  /** Batches whose publication Redis took: acknowledged (and trimmed) with the next publication. */
  private unacknowledged: Publication[] = [];
  /** Redis's clock (ms), from the id of the last report entry it added; 0 before the first. */
  private redisClockMs = 0;
  private failed = false;

  constructor(
    private readonly env: EngineEnv,
    private readonly deps: EngineServiceDeps,
  ) {
    this.stream = ordersStreamFor(env.shard);
    // Stable across restarts, so a restarted engine finds its own pending entries.
    this.consumer = `engine-${env.shard}`;
    this.shardSymbols = [...env.symbols.keys()].filter((symbol) => shardOf(symbol, env.engineShards) === env.shard);
  }

  /** Starts recovering and then matching; resolves when the loop ends (after `stop`, or rejects on a fatal error). */
  start(): Promise<void> {
    this.running ??= this.run().catch((error) => {
      this.failed = true;
      throw error;
    });
    return this.running;
  }

  /** Finishes the batches in progress (commit, reports, acknowledgements), then ends the loop. */
  async stop(): Promise<void> {
    this.stopping = true;
    // Interrupts a blocking read (even one queued while Redis is down); batches in progress finish.
    this.stopSignal.stop();
    await this.running?.catch(() => undefined);
  }

  health(): EngineHealth {
    const health: EngineHealth = {
      live: !this.failed,
      ready: !this.failed && this.state !== undefined && this.waitingFor === undefined,
      shard: this.env.shard,
      checkpoint: this.checkpoint,
    };
    if (this.waitingFor !== undefined) health.waitingFor = this.waitingFor;
    return health;
  }

  private async run(): Promise<void> {
    try {
      this.state = await this.recover();
      await this.untilAvailable('redis', true, () => this.ensureConsumerGroup());
      // Pending entries first (ids after "0"): delivered before a restart, committed or not; then new ones (">").
      let position = '0';
      while (!this.stopping && this.fatal === undefined) {
        const entries = await this.read(position);
        if (entries === undefined) continue;
        if (position !== '>') position = entries.length === 0 ? '>' : entries[entries.length - 1][0];
        if (entries.length === 0) continue;
        const batch = await this.prepare(entries);
        if (this.commitInProgress) this.deps.metrics.matchedAhead.inc();
        // Commits go in order: this one once the previous one is known (which may have matched this one again).
        await this.settleCommitting(batch);
        this.startCommitting(batch);
      }
      await this.settleCommitting();
    } catch (error) {
      if (!(error instanceof StoppedError)) throw error;
    }
    await this.flushPublications();
    this.deps.logger.info({ checkpoint: this.checkpoint }, 'engine loop stopped');
  }

  private async recover(): Promise<ShardState> {
    const journal = await this.untilAvailable('postgres', this.state === undefined, () => loadShardJournal(this.deps.pool, this.env.shard));
    if (this.state !== undefined && journal.checkpoint !== this.checkpoint) {
      throw new FencedError(`shard ${this.env.shard}: checkpoint moved to ${journal.checkpoint} by another writer`);
    }
    this.checkpoint = journal.checkpoint;
    const state = ShardState.fromJournal(journal);
    this.deps.metrics.openOrders.set(state.openOrderCount);
    this.deps.logger.info({ checkpoint: journal.checkpoint, restingOrders: journal.restingOrders.length, lastSeq: journal.lastSeq }, 'books rebuilt from PostgreSQL');
    this.state = state;
    // Earlier batches' top of book first, so that the rebuilt one is what stays.
    await this.flushPublications();
    await this.publish({ reports: new Map(), tops: this.topsOf(this.shardSymbols), ids: [], checkpoint: journal.checkpoint });
    return state;
  }

  private async ensureConsumerGroup(): Promise<void> {
    try {
      // From "0": commands enqueued before the first engine ever started are still matched.
      await this.deps.writer.xgroup('CREATE', this.stream, ENGINE_CONSUMER_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!/BUSYGROUP/.test((error as Error).message)) throw error;
    }
  }

  /** The next batch of entries (blocking on new ones), or `undefined` after a failure (already handled: read again). */
  private async read(position: string): Promise<StreamEntry[] | undefined> {
    const block = position === '>' ? ['BLOCK', READ_BLOCK_MS] : [];
    let reply: [string, StreamEntry[]][] | null | undefined;
    try {
      reply = (await this.stopSignal.race(
        this.deps.reader.call('XREADGROUP', 'GROUP', ENGINE_CONSUMER_GROUP, this.consumer, 'COUNT', BATCH_ENTRIES, ...block, 'STREAMS', this.stream, position),
      )) as [string, StreamEntry[]][] | null | undefined;
    } catch (error) {
      if (/NOGROUP/.test((error as Error).message)) {
        // Redis lost the stream (restarted without persistence): recreate the group.
        await this.untilAvailable('redis', true, () => this.ensureConsumerGroup());
      } else {
        this.markUnavailable('redis', error);
        await sleep(RETRY_DELAY_MS.first);
      }
      return undefined;
    }
    // Stopped while waiting.
    if (reply === undefined) return undefined;
    this.markAvailable('redis');
    return reply === null ? [] : reply[0][1];
  }

  /** Decodes the entries and matches the fresh commands on the books as the previous batch left them. */
  private async prepare(entries: StreamEntry[]): Promise<PreparedBatch> {
    const endTimer = this.deps.metrics.batchSeconds.startTimer();
    const replayed: CommandEnvelope[] = [];
    const fresh: CommandEnvelope[] = [];
    let lastId: string | undefined;
    for (const [id, fields] of entries) {
      const committed = compareStreamIds(id, this.checkpoint) <= 0;
      if (!committed && (lastId === undefined || compareStreamIds(id, lastId) > 0)) lastId = id;
      // A pending entry trimmed from the stream comes back without fields: nothing to do but acknowledge it.
      if (fields === null) continue;
      const decoded = decodeCommands(payloadOf(fields));
      if (decoded.errors.length > 0) {
        this.deps.metrics.malformedCommands.inc(decoded.errors.length);
        this.deps.logger.warn({ id, errors: decoded.errors }, 'malformed commands skipped');
      }
      (committed ? replayed : fresh).push(...decoded.items);
    }
    const replayedReports = replayed.length > 0 ? await this.reportsFromPostgres(replayed) : [];
    this.deps.metrics.batchSize.observe(replayed.length + fresh.length);
    const batch: PreparedBatch = { ids: entries.map(([id]) => id), replayedReports, fresh, lastId, endTimer };
    if (lastId !== undefined) batch.matched = this.match(fresh, new Map());
    return batch;
  }

  /** Matches on the live books; takes the top of book the batch leaves. */
  private match(commands: CommandEnvelope[], takenClientOrderIds: Map<string, string>): MatchedCommands {
    const forgottenBefore = this.state!.finishedIdsForgotten;
    const effects = this.state!.apply(commands, takenClientOrderIds);
    if (this.state!.finishedIdsForgotten !== forgottenBefore) {
      this.deps.logger.info({ openOrders: this.state!.openOrderCount }, 'the engine forgot the ids of finished orders (those of resting orders are kept)');
    }
    return { effects, tops: this.topsOf(effects.symbols) };
  }

  /** The top of book of each symbol as stored in Redis (taken now: later batches may change the book). */
  private topsOf(symbols: Iterable<string>): [string, string][] {
    return Array.from(symbols, (symbol) => [topOfBookKeyFor(symbol), JSON.stringify(this.state!.topOfBook(symbol))]);
  }

  /**
   * Waits for the batch at PostgreSQL. If it had to be matched again, the
   * books it left differ from those `next` was matched on: `next` is matched again too.
   */
  private async settleCommitting(next?: PreparedBatch): Promise<void> {
    const committing = this.committing;
    this.committing = undefined;
    const rebuiltBefore = this.state;
    if (committing !== undefined) await committing;
    if (this.fatal !== undefined) throw this.fatal;
    // Redis not taking publications (they are retried) holds the matching back rather than queueing without bound.
    if (this.queuedPublications > MAX_QUEUED_PUBLICATIONS) await this.publishing;
    if (next?.lastId !== undefined && this.state !== rebuiltBefore) next.matched = this.match(next.fresh, new Map());
  }

  /** Sends the batch's statement now; once committed, its publication joins the queue. Not awaited: the loop reads on. */
  private startCommitting(batch: PreparedBatch): void {
    this.commitInProgress = true;
    this.committing = this.commitPrepared(batch)
      .catch((error: Error) => {
        // Remembered for the loop, which stops (a blocking read is interrupted).
        this.fatal = error;
        this.stopSignal.stop();
      })
      .finally(() => {
        this.commitInProgress = false;
      });
  }

  private async commitPrepared(batch: PreparedBatch): Promise<void> {
    const reports = batch.replayedReports;
    let tops: [string, string][] = [];
    if (batch.lastId !== undefined) {
      const matched = await this.commitMatched(batch.fresh, batch.lastId, batch.matched!);
      reports.push(...matched.effects.reports);
      tops = matched.tops;
    }
    batch.endTimer();
    const publication: Publication = { reports: groupByStream(reports), tops, ids: batch.ids, checkpoint: this.checkpoint };
    this.queuedPublications++;
    this.publishing = this.publishing
      .then(() => this.publishAndAcknowledge(publication))
      .catch((error: Error) => this.deps.logger.error({ err: error.message }, 'publication failed'))
      .finally(() => this.queuedPublications--);
  }

  /** Commits matched commands with the new checkpoint; if PostgreSQL refuses them, rebuilds the books and matches them again. */
  private async commitMatched(commands: CommandEnvelope[], lastId: string, matched: MatchedCommands): Promise<MatchedCommands> {
    // Redis's idempotency claims keep client order ids unique, so the first attempt does not ask PostgreSQL;
    // if a claim was lost, the unique (account, client_order_id) refuses the commit and the rematch looks them up.
    for (let attempt = 1; ; attempt++) {
      const batch: BatchCommit = {
        shard: this.env.shard,
        previousCheckpoint: this.checkpoint,
        checkpoint: lastId,
        lastSeq: matched.effects.lastSeq,
        orders: matched.effects.orders,
        orderUpdates: matched.effects.orderUpdates,
        trades: matched.effects.trades,
      };
      if ((await this.commit(batch)) === 'committed') {
        this.checkpoint = lastId;
        this.countCommitted(commands, matched.effects);
        return matched;
      }
      // The statement was refused (e.g. a client order id already stored): the in-memory matching
      // is void, so rebuild the books from PostgreSQL and match again, knowing the stored client order ids.
      if (attempt > 1) {
        // Refused even so: wait rather than spin, and say so loudly.
        this.deps.logger.error({ attempt, checkpoint: this.checkpoint }, 'batch refused again by PostgreSQL');
        this.markUnavailable('postgres', new Error('batch refused'));
        await sleep(retryDelay(attempt));
      }
      this.state = await this.recover();
      const clientOrders = clientOrdersOf(commands);
      const taken = await this.untilAvailable('postgres', false, () => findClientOrderIds(this.deps.pool, clientOrders));
      matched = this.match(commands, taken);
    }
  }

  private async commit(batch: BatchCommit): Promise<'committed' | 'rematch'> {
    for (let attempt = 1; ; attempt++) {
      const endTimer = this.deps.metrics.commitSeconds.startTimer();
      try {
        const outcome = await commitBatch(this.deps.pool, batch);
        endTimer();
        if (outcome === 'fenced') throw new FencedError(`shard ${batch.shard}: checkpoint is no longer ${batch.previousCheckpoint}; another engine writes this shard`);
        this.markAvailable('postgres');
        return 'committed';
      } catch (error) {
        if (error instanceof FencedError) throw error;
        // A refused statement is rolled back: nothing of the batch is stored.
        if (!isConnectionError(error)) {
          this.deps.logger.info({ err: (error as Error).message }, 'batch refused by PostgreSQL, matching it again');
          return 'rematch';
        }
        this.markUnavailable('postgres', error);
        await sleep(retryDelay(attempt));
        // The commit may have succeeded with only its answer lost: the checkpoint tells.
        const stored = await this.untilAvailable('postgres', false, () => readCheckpoint(this.deps.pool, batch.shard));
        if (stored === batch.checkpoint) return 'committed';
        if (stored !== batch.previousCheckpoint) throw new FencedError(`shard ${batch.shard}: checkpoint moved to ${stored} by another writer`);
      }
    }
  }

  /** Reports of commands already committed before a restart, rebuilt from PostgreSQL. */
  private async reportsFromPostgres(commands: CommandEnvelope[]): Promise<OutboundReport[]> {
    const orderIds = commands.map(({ command }) => command.orderId);
    const clientOrders = clientOrdersOf(commands);
    const [acknowledgements, taken] = await this.untilAvailable('postgres', false, () =>
      Promise.all([findAcknowledgements(this.deps.pool, orderIds), findClientOrderIds(this.deps.pool, clientOrders)]),
    );
    this.deps.metrics.replayedCommands.inc(commands.length);
    return commands.flatMap(({ command, requestId, replyTo, clientOrderId }): OutboundReport[] => {
      const stored = acknowledgements.get(command.orderId);
      let report: ExecutionReport | undefined;
      if (command.op === 'cancel') {
        const cancelled = stored?.status === 'cancelled';
        report = { kind: 'cancel', requestId, orderId: command.orderId, outcome: cancelled ? 'cancelled' : 'rejected' };
        if (!cancelled) report.reason = 'unknown-order';
      } else if (stored !== undefined) {
        report = { kind: 'order', requestId, order: stored };
      } else if (clientOrderId !== undefined) {
        const existingOrderId = taken.get(clientOrderKey(command.account ?? '', clientOrderId));
        if (existingOrderId !== undefined) report = { kind: 'duplicate', requestId, existingOrderId };
      }
      return report === undefined ? [] : [{ replyTo, report }];
    });
  }

  /**
   * One pipeline per committed batch on the writer connection: its reports
   * and top of book, then the acknowledgement of the batches published
   * before it (an entry is acknowledged only once its reports are in Redis).
   */
  private async publishAndAcknowledge(publication: Publication): Promise<void> {
    const acknowledgements = this.unacknowledged;
    this.unacknowledged = [];
    const pipeline = this.deps.writer.pipeline();
    const publicationCommands = addPublication(pipeline, publication, this.reportsTrimmedBefore());
    if (acknowledgements.length > 0) {
      pipeline.xack(this.stream, ENGINE_CONSUMER_GROUP, ...acknowledgements.flatMap((published) => published.ids));
      // Entries up to these batches' checkpoint are committed and reported: the stream need not keep them.
      pipeline.xtrim(this.stream, 'MINID', '~', acknowledgements[acknowledgements.length - 1].checkpoint);
    }
    let results: [Error | null, unknown][] | null = null;
    try {
      results = await pipeline.exec();
    } catch (error) {
      this.markUnavailable('redis', error);
    }
    if (results === null || results.slice(0, publicationCommands).some(([error]) => error)) {
      // Publishing again is harmless (a gateway drops reports nobody waits for); the acknowledgements wait for the next round.
      await this.publish(publication);
      this.unacknowledged.push(...acknowledgements);
    } else {
      this.markAvailable('redis');
      this.readRedisClock(results.slice(0, publication.reports.size));
      const acknowledgementFailure = results.slice(publicationCommands).find(([error]) => error);
      if (acknowledgementFailure) {
        this.deps.logger.warn({ err: acknowledgementFailure[0]!.message }, 'acknowledgement failed; the entries stay pending');
      }
    }
    this.unacknowledged.push(publication);
  }

  /** Publishes on the writer connection, retried until Redis takes all of it. */
  private async publish(publication: Publication): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const pipeline = this.deps.writer.pipeline();
      addPublication(pipeline, publication, this.reportsTrimmedBefore());
      try {
        const results = await pipeline.exec();
        const failure = results?.find(([error]) => error) ?? null;
        if (failure === null) {
          this.readRedisClock(results!.slice(0, publication.reports.size));
          break;
        }
        throw failure[0];
      } catch (error) {
        this.markUnavailable('redis', error);
        await sleep(retryDelay(attempt));
      }
    }
    this.markAvailable('redis');
  }

  /** On the way out (or before a rebuild): the publications queued, then the acknowledgement of everything published. */
  private async flushPublications(): Promise<void> {
    await this.publishing;
    const ids = this.unacknowledged.flatMap((published) => published.ids);
    this.unacknowledged = [];
    // An acknowledgement that fails only leaves entries pending, which the next start handles.
    if (ids.length > 0) await this.deps.writer.xack(this.stream, ENGINE_CONSUMER_GROUP, ...ids).catch(() => undefined);
  }

  /** Runs `action` until it succeeds, waiting out outages; `abortOnStop` gives up when stopping (nothing is half done). */
  private async untilAvailable<T>(dependency: Dependency, abortOnStop: boolean, action: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await action();
        this.markAvailable(dependency);
        return result;
      } catch (error) {
        this.markUnavailable(dependency, error);
        if (abortOnStop && this.stopping) throw new StoppedError();
        await sleep(retryDelay(attempt));
      }
    }
  }

  private markUnavailable(dependency: Dependency, error: unknown): void {
    this.deps.metrics.retries.inc({ dependency });
    if (this.waitingFor !== dependency) {
      this.deps.logger.warn({ dependency, err: (error as Error).message }, 'dependency unavailable, retrying');
    }
    this.waitingFor = dependency;
  }

  private markAvailable(dependency: Dependency): void {
    if (this.waitingFor !== dependency) return;
    this.deps.logger.info({ dependency }, 'dependency available again');
    this.waitingFor = undefined;
  }

  /** The stream id before which report entries may go (see REPORTS_KEPT_MS); undefined until Redis's clock is known. */
  private reportsTrimmedBefore(): string | undefined {
    return this.redisClockMs === 0 ? undefined : String(this.redisClockMs - REPORTS_KEPT_MS);
  }

  /** Redis's clock from the ids of the report entries just added (the XADD replies). */
  private readRedisClock(xaddReplies: [Error | null, unknown][]): void {
    for (const [, id] of xaddReplies) {
      const milliseconds = typeof id === 'string' ? Number(id.slice(0, id.indexOf('-'))) : NaN;
      if (milliseconds > this.redisClockMs) this.redisClockMs = milliseconds;
    }
  }

  private countCommitted(commands: CommandEnvelope[], effects: BatchEffects): void {
    const { metrics } = this.deps;
    const cancels = commands.filter(({ command }) => command.op === 'cancel').length;
    metrics.commands.inc({ op: 'new' }, commands.length - cancels);
    if (cancels > 0) metrics.commands.inc({ op: 'cancel' }, cancels);
    metrics.trades.inc(effects.trades.length);
    metrics.openOrders.set(this.state!.openOrderCount);
  }
}

/** The (account, clientOrderId) pairs the new orders among `commands` claim. */
function clientOrdersOf(commands: CommandEnvelope[]): { account: string; clientOrderId: string }[] {
  return commands.flatMap(({ command, clientOrderId }) =>
    command.op === 'new' && clientOrderId !== undefined ? [{ account: command.account ?? '', clientOrderId }] : [],
  );
}

function groupByStream(reports: OutboundReport[]): Map<string, ExecutionReport[]> {
  const byStream = new Map<string, ExecutionReport[]>();
  for (const { replyTo, report } of reports) {
    const stream = reportsStreamFor(replyTo);
    const group = byStream.get(stream);
    if (group === undefined) byStream.set(stream, [report]);
    else group.push(report);
  }
  return byStream;
}

/**
 * One XADD per reply stream (all its reports in one entry; entries before
 * `trimBefore` go, when given) and one MSET for the top of book, the XADDs
 * first; returns how many commands.
 */
function addPublication(pipeline: ChainableCommander, publication: Publication, trimBefore: string | undefined): number {
  for (const [stream, reports] of publication.reports) {
    const payload = encodeReports(reports);
    if (trimBefore === undefined) pipeline.xadd(stream, '*', PAYLOAD_FIELD, payload);
    else pipeline.xadd(stream, 'MINID', '~', trimBefore, '*', PAYLOAD_FIELD, payload);
  }
  if (publication.tops.length > 0) pipeline.mset(...publication.tops.flat());
  return publication.reports.size + (publication.tops.length > 0 ? 1 : 0);
}
