/**
 * `npm run loadtest -- [--outputs FILE | --stack NAME | --url URL] [--duration 30s]
 * [--connections 64] [--rate R] [--symbols LIST] [--json] [--min-rate N] [--max-p99 MS]`
 *
 * Exit status: 0 done, 1 a threshold missed or the run failed, 2 bad flags.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_SYMBOLS } from '../backend/config/symbols';
import { integerFlag, parseFlags, positiveNumberFlag, symbolsFlag, UsageError } from '../local/flags';
import { parseDuration } from './duration';
import { newRunId } from './orders';
import { progressLine } from './progress';
import { buildReport, formatReport, missedThresholds } from './report';
import { runLoad } from './run';
import { checkReachable, resolveTarget, TargetError } from './target';

const DEFAULT_CONNECTIONS = 64;
/** Connections a load run may open at most (bench:stack's bound too). */
export const MAX_CONNECTIONS = 100_000;

export const USAGE = `usage: npm run loadtest -- [options]

target (at most one; default: the local stack's .local/outputs.json)
  --outputs FILE     a stack outputs file (JSON with loadBalancerUrl, backends, ...)
  --stack NAME       read \`pulumi stack output --json --stack NAME\`
  --url URL          a load balancer URL, e.g. http://127.0.0.1:8080

load
  --duration TIME    how long to send orders: 30s (default), 2m, 1500ms
  --connections N    concurrent connections (default ${DEFAULT_CONNECTIONS})
  --rate R           orders/s over all connections (default: as fast as answered)
  --symbols LIST     the symbols to send orders on, SYMBOL or SYMBOL:TICK comma separated
                     (default: the stack's "symbols" output, else ${DEFAULT_SYMBOLS})

report
  --json             print the report as one JSON object on stdout
  --min-rate N       exit 1 if fewer than N acknowledged orders/s
  --max-p99 MS       exit 1 if the p99 latency is above MS milliseconds`;

interface LoadTestFlags {
  target: { outputs?: string; stack?: string; url?: string };
  durationMs: number;
  connections: number;
  rate?: number;
  symbols?: string;
  json: boolean;
  minRate?: number;
  maxP99Ms?: number;
}

export function parseLoadTestFlags(argv: string[]): LoadTestFlags {
  const { values } = parseFlags(() =>
    parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        outputs: { type: 'string' },
        stack: { type: 'string' },
        url: { type: 'string' },
        duration: { type: 'string', default: '30s' },
        connections: { type: 'string' },
        rate: { type: 'string' },
        symbols: { type: 'string' },
        json: { type: 'boolean', default: false },
        'min-rate': { type: 'string' },
        'max-p99': { type: 'string' },
      },
    }),
  );
  let durationMs: number;
  try {
    durationMs = parseDuration(values.duration);
  } catch (error) {
    throw new UsageError(`--duration: ${(error as Error).message}`);
  }
  const chosen = (['outputs', 'stack', 'url'] as const).filter((flag) => values[flag] !== undefined);
  if (chosen.length > 1) throw new UsageError(`--${chosen[0]} and --${chosen[1]} both choose the target: pass only one`);
  return {
    target: { outputs: values.outputs, stack: values.stack, url: values.url },
    durationMs,
    connections: integerFlag('connections', values.connections, 1, MAX_CONNECTIONS) ?? DEFAULT_CONNECTIONS,
    rate: integerFlag('rate', values.rate, 1, 10_000_000),
    symbols: symbolsFlag(values.symbols),
    json: values.json,
    minRate: positiveNumberFlag('min-rate', values['min-rate']),
    maxP99Ms: positiveNumberFlag('max-p99', values['max-p99']),
  };
}

/** Runs the load test the flags describe and prints its report; returns the exit status. */
export async function main(argv: string[], signal?: AbortSignal): Promise<number> {
  let flags: LoadTestFlags;
  try {
    flags = parseLoadTestFlags(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`loadtest: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  try {
    const target = await resolveTarget(flags.target);
    await checkReachable(target);
    const symbols = flags.symbols ?? target.symbols ?? DEFAULT_SYMBOLS;
    process.stderr.write(`loadtest: ${flags.connections} connections to ${target.url} for ${flags.durationMs / 1000} s, orders on ${symbols}\n`);
    const progress = progressLine(process.stderr, flags.durationMs);
    const result = await runLoad({
      url: target.url,
      durationMs: flags.durationMs,
      connections: flags.connections,
      rate: flags.rate,
      mix: { runId: newRunId(), symbols },
      signal,
      onTick: (stats, elapsedMs) => progress.update(stats, elapsedMs),
    });
    progress.finish();
    const report = buildReport(result, target, flags);
    process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
    const missed = missedThresholds(report, flags);
    for (const line of missed) process.stderr.write(`loadtest: ${line}\n`);
    return missed.length > 0 ? 1 : 0;
  } catch (error) {
    if (!(error instanceof TargetError)) throw error;
    process.stderr.write(`loadtest: ${error.message}\n`);
    return 1;
  }
}

if (require.main === module) {
  // Ctrl-C ends the run early and still prints what was measured; a second one quits at once.
  const interrupt = new AbortController();
  process.once('SIGINT', () => {
    interrupt.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  main(process.argv.slice(2), interrupt.signal).then(
    (status) => process.exit(status),
    (error) => {
      process.stderr.write(`loadtest: ${(error as Error).stack ?? error}\n`);
      process.exit(1);
    },
  );
}
