/** The engine's batching, read from its Prometheus text (GET /metrics): what the benches print after a run. */

/** Running totals of the engine's batch histograms. */
export interface EngineTotals {
  batches: number;
  commands: number;
  commitSeconds: number;
  commits: number;
  batchSeconds: number;
  /** Batches matched while the previous one was still at PostgreSQL. */
  matchedAhead: number;
}

export function engineTotals(metrics: string): EngineTotals {
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
  return {
    batches: value('engine_batch_commands_count'),
    commands: value('engine_batch_commands_sum'),
    commitSeconds: value('engine_commit_seconds_sum'),
    commits: value('engine_commit_seconds_count'),
    batchSeconds: value('engine_batch_seconds_sum'),
    matchedAhead: value('engine_batches_matched_ahead_total'),
  };
}

/** "N batches (P% matched ahead), M commands per batch, commit … ms, read to committed … ms (means)" between two readings (or since start). */
export function describeEngineBatches(after: EngineTotals, before?: EngineTotals): string {
  const delta = (key: keyof EngineTotals) => after[key] - (before?.[key] ?? 0);
  const batches = delta('batches');
  return (
    `${batches} batches (${((100 * delta('matchedAhead')) / batches).toFixed(0)}% matched ahead), ${(delta('commands') / batches).toFixed(1)} commands per batch, ` +
    `commit ${((delta('commitSeconds') / delta('commits')) * 1000).toFixed(2)} ms, ` +
    `read to committed ${((delta('batchSeconds') / batches) * 1000).toFixed(2)} ms (means)`
  );
}
