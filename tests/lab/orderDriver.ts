/**
 * A small order client for the containers test: workers that each keep one
 * order in flight through the load balancer, remembering every acknowledged
 * orderId (to find each in PostgreSQL) and when each request started and
 * ended (to tell the requests in flight at a moment from the later ones).
 */
import * as http from 'node:http';

export interface OrderOutcome {
  startedAt: number;
  endedAt: number;
  /** HTTP status, or 0 when the request failed without a response. */
  status: number;
  orderId?: string;
}

export interface OrderDriver {
  /** Requests in flight right now. */
  inFlight(): number;
  /** Stops sending; resolves with every request's outcome once the last one ended. */
  stop(): Promise<OrderOutcome[]>;
}

const SYMBOLS = ['AAPL', 'MSFT', 'GOOG'];

/** Crossing prices around 100.00, alternating sides, so orders trade with each other. */
function orderBody(worker: number, sequence: number, runId: string): string {
  const buy = sequence % 2 === 0;
  const offset = (sequence * 7 + worker) % 5;
  const cents = buy ? 10_000 + offset : 10_000 - offset;
  return JSON.stringify({
    symbol: SYMBOLS[(sequence + worker) % SYMBOLS.length],
    side: buy ? 'buy' : 'sell',
    type: 'limit',
    price: (cents / 100).toFixed(2),
    quantity: 1 + (sequence % 5),
    account: `lab-${worker % 8}`,
    clientOrderId: `${runId}-${worker}-${sequence}`,
  });
}

function post(agent: http.Agent, url: URL, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: 60_000 },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
        response.on('error', () => resolve({ status: 0, body: '' }));
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve({ status: 0, body: '' }));
    request.end(body);
  });
}

export function startOrderDriver(loadBalancerUrl: string, workers: number, runId: string): OrderDriver {
  const url = new URL('/api/orders', loadBalancerUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: workers });
  const outcomes: OrderOutcome[] = [];
  let running = true;
  let inFlight = 0;
  const loops = Array.from({ length: workers }, async (_, worker) => {
    for (let sequence = 0; running; sequence++) {
      const startedAt = Date.now();
      inFlight++;
      const response = await post(agent, url, orderBody(worker, sequence, runId));
      inFlight--;
      const orderId = response.status === 201 ? (JSON.parse(response.body) as { orderId: string }).orderId : undefined;
      outcomes.push({ startedAt, endedAt: Date.now(), status: response.status, orderId });
    }
  });
  return {
    inFlight: () => inFlight,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return outcomes;
    },
  };
}
