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
