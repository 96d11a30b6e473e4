import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The engine service's Prometheus metrics, in their own registry. */
export class EngineMetrics {
  readonly registry = new Registry();
  readonly commands = new Counter({ name: 'engine_commands_total', help: 'Commands matched, by op', labelNames: ['op'] as const, registers: [this.registry] });
  readonly replayedCommands = new Counter({ name: 'engine_replayed_commands_total', help: 'Commands at or below the checkpoint whose reports were re-published from PostgreSQL', registers: [this.registry] });
  readonly malformedCommands = new Counter({ name: 'engine_malformed_commands_total', help: 'Commands (or whole entries) that did not decode: acknowledged and skipped', registers: [this.registry] });
  readonly trades = new Counter({ name: 'engine_trades_total', help: 'Trades executed', registers: [this.registry] });
  readonly batchSize = new Histogram({ name: 'engine_batch_commands', help: 'Commands per batch', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024], registers: [this.registry] });
  readonly commitSeconds = new Histogram({ name: 'engine_commit_seconds', help: 'Duration of the batch transaction', buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1], registers: [this.registry] });
  readonly batchSeconds = new Histogram({ name: 'engine_batch_seconds', help: 'From a batch read to its commit: decoding, matching, waiting for the previous batch to commit, committing', buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1], registers: [this.registry] });
  readonly matchedAhead = new Counter({ name: 'engine_batches_matched_ahead_total', help: 'Batches matched while the previous batch was still being committed: the pipeline at work', registers: [this.registry] });
  readonly retries = new Counter({ name: 'engine_retries_total', help: 'Retries after a PostgreSQL or Redis failure, by dependency', labelNames: ['dependency'] as const, registers: [this.registry] });
  readonly openOrders = new Gauge({ name: 'engine_open_orders', help: 'Orders resting on the books of this shard', registers: [this.registry] });

  constructor(shard: number) {
    this.registry.setDefaultLabels({ shard: String(shard) });
    collectDefaultMetrics({ register: this.registry });
  }
}
