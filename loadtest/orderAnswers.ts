/** What bench:stack reads from the gateways' Prometheus text (GET /metrics). */

const REQUEST_COUNT = /^http_request_duration_seconds_count\{([^}]*)\} (\S+)$/gm;

/** Answers to POST /api/orders, per status code, in one gateway's metrics text. */
export function orderAnswers(metrics: string): Map<string, number> {
  const answers = new Map<string, number>();
  for (const [, labels, count] of metrics.matchAll(REQUEST_COUNT)) {
    if (!labels.includes('method="POST"') || !labels.includes('route="/api/orders"')) continue;
    const status = /status_code="(\d+)"/.exec(labels)?.[1] ?? 'unknown';
    answers.set(status, (answers.get(status) ?? 0) + Number(count));
  }
  return answers;
}

/** `a` and `b` added per key. */
export function addCounts(a: Map<string, number>, b: Map<string, number>): Map<string, number> {
  const sum = new Map(a);
  for (const [key, count] of b) sum.set(key, (sum.get(key) ?? 0) + count);
  return sum;
}

/** The answers of `after` not yet in `before`, per status code, for codes other than 2xx. */
export function refusalsBetween(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const refusals = new Map<string, number>();
  for (const [status, count] of after) {
    const added = count - (before.get(status) ?? 0);
    if (!status.startsWith('2') && added > 0) refusals.set(status, added);
  }
  return refusals;
}

/**
 * wrk's non-2xx count with the gateways' answers behind it, e.g. `12 (gateways: 400 ×2, 409 ×10)`:
 * a script that reuses a clientOrderId with another body gets 409s, a body the API refuses 400s. What
 * no gateway answered (nginx's 502 or 504 while a gateway is down) is counted apart.
 */
export function describeNon2xx(non2xx: number, gatewayRefusals: Map<string, number>): string {
  if (non2xx === 0 && gatewayRefusals.size === 0) return '0';
  const codes = [...gatewayRefusals].sort(([a], [b]) => a.localeCompare(b));
  const fromGateways = codes.reduce((sum, [, count]) => sum + count, 0);
  const parts = [`gateways: ${codes.length === 0 ? 'none' : codes.map(([status, count]) => `${status} ×${count}`).join(', ')}`];
  if (non2xx > fromGateways) parts.push(`not from a gateway: ${non2xx - fromGateways}`);
  return `${non2xx} (${parts.join('; ')})`;
}
