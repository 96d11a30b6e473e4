/**
 * The load tester's verdict: one plain object (printed as JSON with --json)
 * and its table form, plus the CI thresholds (--min-rate, --max-p99).
 */
import { LoadResult } from './run';
import { LatencyMs } from './stats';
import { LoadTarget } from './target';

export interface BackendShare {
  name: string;
  responses: number;
  /** Share of all HTTP responses, in percent. */
  percent: number;
}

export interface LoadReport {
  target: { url: string; target: string; source: string };
  durationSeconds: number;
  connections: number;
  /** The requested rate (orders/s), or null when unlimited. */
  rate: number | null;
  /** Requests that ended, with a response or an error. */
  requests: number;
  /** Acknowledged (2xx) orders per second. */
  ordersPerSecond: number;
  /** 2xx responses over all requests that ended, in percent. */
  successPercent: number;
  statusCodes: Record<string, number>;
  errors: { total: number; timeouts: number };
  /** Latency of acknowledged (2xx) orders. */
  latencyMs: LatencyMs;
  backends: BackendShare[];
}

export interface LoadSettings {
  connections: number;
  rate?: number;
}

const round = (value: number, decimals: number) => Number(value.toFixed(decimals));

function backendShares(result: LoadResult, expected: string[]): BackendShare[] {
  const { backendCounts, responses } = result.stats;
  const seenOnly = [...backendCounts.keys()].filter((name) => !expected.includes(name)).sort();
  return [...expected, ...seenOnly].map((name) => {
    const count = backendCounts.get(name) ?? 0;
    return { name, responses: count, percent: responses === 0 ? 0 : round((100 * count) / responses, 2) };
  });
}

export function buildReport(result: LoadResult, target: LoadTarget, settings: LoadSettings): LoadReport {
  const { stats, elapsedMs } = result;
  const seconds = elapsedMs / 1000;
  const requests = stats.responses + stats.errors;
  const statusCodes = Object.fromEntries(
    [...stats.statusCounts.entries()].sort(([a], [b]) => a - b).map(([code, count]) => [String(code), count]),
  );
  return {
    target: { url: target.url, target: target.target, source: target.source },
    durationSeconds: round(seconds, 2),
    connections: settings.connections,
    rate: settings.rate ?? null,
    requests,
    ordersPerSecond: seconds > 0 ? round(stats.succeeded / seconds, 1) : 0,
    successPercent: requests === 0 ? 0 : round((100 * stats.succeeded) / requests, 3),
    statusCodes,
    errors: { total: stats.errors, timeouts: stats.timeouts },
    latencyMs: stats.latencyMs(),
    backends: backendShares(result, target.backendNames),
  };
}

export interface Thresholds {
  minRate?: number;
  maxP99Ms?: number;
}

/** The thresholds the run missed, each as a sentence; empty when it passed. */
export function missedThresholds(report: LoadReport, thresholds: Thresholds): string[] {
  const missed: string[] = [];
  if (thresholds.minRate !== undefined && report.ordersPerSecond < thresholds.minRate) {
    missed.push(`orders/s ${report.ordersPerSecond} is below --min-rate ${thresholds.minRate}`);
  }
  if (thresholds.maxP99Ms !== undefined && report.latencyMs.p99 > thresholds.maxP99Ms) {
    missed.push(`p99 latency ${report.latencyMs.p99} ms is above --max-p99 ${thresholds.maxP99Ms}`);
  }
  return missed;
}

function table(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n');
}

export function formatReport(report: LoadReport): string {
  const codes = Object.entries(report.statusCodes).map(([code, count]) => `${code}: ${count}`);
  const { p50, p90, p99, p999, max } = report.latencyMs;
  const backendRows = report.backends.map((backend): [string, string] => [
    backend.name,
    `${backend.percent.toFixed(1).padStart(5)} %  (${backend.responses})`,
  ]);
  const rows: Array<[string, string]> = [
    ['target', `${report.target.url}  (${report.target.target}, from ${report.target.source})`],
    ['duration', `${report.durationSeconds} s, ${report.connections} connections${report.rate === null ? '' : `, rate ${report.rate}/s`}`],
    ['orders/s', `${report.ordersPerSecond} acknowledged (2xx)`],
    ['success', `${report.successPercent} % of ${report.requests} requests`],
    ['status codes', codes.length > 0 ? codes.join('  ') : 'none'],
    ['errors', `${report.errors.total} without a response (${report.errors.timeouts} timeouts)`],
    ['latency (ms)', `p50 ${p50}  p90 ${p90}  p99 ${p99}  p99.9 ${p999}  max ${max}  (2xx only)`],
  ];
  const sections = [`Load test\n${table(rows)}`];
  if (backendRows.length > 0) sections.push(`Backends (share of responses, by X-Backend-Id)\n${table(backendRows)}`);
  return sections.join('\n\n');
}
