/**
 * This process's execution reports: one dedicated (blocking) Redis connection
 * reads `reports:{gatewayId}.{workerIndex}` and resolves the request waiting
 * for each report. Only this process reads that stream, so no consumer group:
 * a plain XREAD from the last id seen. Reports nobody waits for (a timed-out
 * request, a re-published report after an engine restart) are dropped.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { connectRedis, decodeReports, ExecutionReport, payloadOf, reportsStreamFor, StopSignal } from '../../streams';

const READ_COUNT = 1024;
const READ_BLOCK_MS = 1000;
const RETRY_DELAY_MS = 200;

type StreamEntry = [id: string, fields: string[]];

declare module 'fastify' {
  interface FastifyInstance {
    reports: ReportInbox;
  }
}

export class ReportInbox {
  private readonly waiting = new Map<string, (report: ExecutionReport | undefined) => void>();
  private readonly stream: string;
  private readonly closing = new StopSignal();
  private closed = false;
  private loop?: Promise<void>;

  constructor(
    private readonly redis: Redis,
    /** This process's reply address (see `replyAddressFor`). */
    readonly replyTo: string,
    private readonly logger: Logger,
  ) {
    this.stream = reportsStreamFor(replyTo);
  }

  /**
   * Starts reading from the stream's beginning: the few thousand reports of an
   * earlier process there are dropped quickly, and no report can slip between
   * "find the end" and the first read.
   */
  start(): void {
    this.loop ??= this.read('0-0');
  }

  /** The report for `requestId`, or undefined after `deadlineMs`. Call before sending the command. */
  expect(requestId: string, deadlineMs: number): Promise<ExecutionReport | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId);
        resolve(undefined);
      }, deadlineMs);
      this.waiting.set(requestId, (report) => {
        clearTimeout(timer);
        this.waiting.delete(requestId);
        resolve(report);
      });
    });
  }

  /** Gives up on a request whose command could not be sent. */
  forget(requestId: string): void {
    this.waiting.get(requestId)?.(undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closing.stop();
    this.redis.disconnect();
    await this.loop;
    for (const resolve of this.waiting.values()) resolve(undefined);
  }

  private async read(fromId: string): Promise<void> {
    let lastId = fromId;
    while (!this.closed) {
      try {
        const reply = (await this.closing.race(this.redis.call('XREAD', 'COUNT', READ_COUNT, 'BLOCK', READ_BLOCK_MS, 'STREAMS', this.stream, lastId))) as
          | [string, StreamEntry[]][]
          | null
          | undefined;
        for (const [id, fields] of reply?.[0][1] ?? []) {
          lastId = id;
          const decoded = decodeReports(payloadOf(fields));
          for (const report of decoded.items) this.waiting.get(report.requestId)?.(report);
          if (decoded.errors.length > 0) this.logger.warn({ id, errors: decoded.errors }, 'malformed reports skipped');
        }
      } catch (error) {
        if (this.closed) return;
        this.logger.warn({ err: (error as Error).message }, 'reading reports failed, retrying');
        await sleep(RETRY_DELAY_MS);
      }
    }
  }
}

export interface ReportsOptions {
  redisUrl: string;
  replyTo: string;
}

export const reportsPlugin = fp<ReportsOptions>(
  async (app, options) => {
    const logger = app.log as unknown as Logger;
    const redis = connectRedis(options.redisUrl, `${options.replyTo}-reports`, logger, { maxRetriesPerRequest: null });
    const inbox = new ReportInbox(redis, options.replyTo, logger);
    inbox.start();
    app.decorate('reports', inbox);
    // Runs after the HTTP server has closed, i.e. after the requests in flight got their reports.
    app.addHook('onClose', () => inbox.close());
  },
  { name: 'reports', fastify: '5.x' },
);
