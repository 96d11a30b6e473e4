/**
 * Drives `POST /api/orders` through autocannon: every request gets the next
 * order of the mix (setupRequest), every response is counted by status code
 * and by the backend that answered (X-Backend-Id).
 */
import autocannon from 'autocannon';
import { OrderMix, orderGenerator } from './orders';
import { LoadStats } from './stats';

/** Longer than nginx's proxy timeouts (30 s), so a slow order is reported by the stack (504), not cut by the client. */
const REQUEST_TIMEOUT_SECONDS = 31;

export interface LoadOptions {
  /** Base URL of the load balancer. */
  url: string;
  durationMs: number;
  connections: number;
  /** Target orders/s over all connections; unlimited when absent. */
  rate?: number;
  /** Stop after this many requests even if the duration has not passed. */
  maxRequests?: number;
  mix: OrderMix;
  /** Stops the run early; what was measured so far is still returned. */
  signal?: AbortSignal;
  /** Called once a second while the run lasts. */
  onTick?: (stats: LoadStats, elapsedMs: number) => void;
  /** Every HTTP response, e.g. to collect the orderIds of acknowledged orders. */
  onResponse?: (status: number, body: string, backendId: string | undefined) => void;
}

export interface LoadResult {
  stats: LoadStats;
  elapsedMs: number;
}

/** Header names arrive as the server spelled them. */
function backendIdOf(headers: autocannon.Request['headers']): string | undefined {
  if (!headers) return undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'x-backend-id') return Array.isArray(value) ? String(value[0]) : String(value);
  }
  return undefined;
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const stats = new LoadStats();
  const nextOrder = orderGenerator(options.mix);
  const orderRequest: autocannon.Request = {
    method: 'POST',
    path: '/api/orders',
    headers: { 'content-type': 'application/json' },
    setupRequest: (request) => {
      request.body = JSON.stringify(nextOrder());
      return request;
    },
    onResponse: (status, body, _context, headers) => {
      const backendId = backendIdOf(headers);
      stats.recordBackend(backendId);
      options.onResponse?.(status, body, backendId);
    },
  };
  const settings: autocannon.Options = {
    url: options.url,
    connections: options.connections,
    duration: options.durationMs / 1000,
    overallRate: options.rate,
    maxOverallRequests: options.maxRequests,
    timeout: REQUEST_TIMEOUT_SECONDS,
    requests: [orderRequest],
  };
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(settings, (error) =>
      error ? reject(error) : resolve({ stats, elapsedMs: Date.now() - started }),
    );
    instance.on('response', (_client, status, _bytes, latencyMs) => stats.recordResponse(status, latencyMs));
    instance.on('reqError', (error: Error) => stats.recordError(error.message === 'request timed out'));
    instance.on('tick', () => options.onTick?.(stats, Date.now() - started));
    options.signal?.addEventListener('abort', () => instance.stop(), { once: true });
  });
}
