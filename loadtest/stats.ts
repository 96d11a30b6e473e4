/**
 * What a load run observed: responses by status code and by backend, transport
 * errors, and an HDR histogram of the latency of acknowledged (2xx) orders.
 */
import * as hdr from 'hdr-histogram-js';

/** Responses that carry no X-Backend-Id were produced by the load balancer itself (e.g. a 502). */
export const NO_BACKEND = '(load balancer)';

/** Latencies are recorded in microseconds, up to a minute. */
const MAX_LATENCY_US = 60_000_000;

export interface LatencyMs {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export class LoadStats {
  responses = 0;
  succeeded = 0;
  /** Requests that got no HTTP response: connection errors and client timeouts. */
  errors = 0;
  timeouts = 0;
  readonly statusCounts = new Map<number, number>();
  readonly backendCounts = new Map<string, number>();
  private readonly latencyUs = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: MAX_LATENCY_US,
    numberOfSignificantValueDigits: 3,
  });

  recordResponse(status: number, latencyMs: number): void {
    this.responses++;
    this.statusCounts.set(status, (this.statusCounts.get(status) ?? 0) + 1);
    if (status >= 200 && status < 300) {
      this.succeeded++;
      this.latencyUs.recordValue(Math.min(MAX_LATENCY_US, Math.max(1, Math.round(latencyMs * 1000))));
    }
  }

  recordBackend(backendId: string | undefined): void {
    const name = backendId ?? NO_BACKEND;
    this.backendCounts.set(name, (this.backendCounts.get(name) ?? 0) + 1);
  }

  recordError(timedOut: boolean): void {
    this.errors++;
    if (timedOut) this.timeouts++;
  }

  /** Requests that did not end in a 2xx: non-2xx responses and transport errors. */
  get failed(): number {
    return this.responses - this.succeeded + this.errors;
  }

  latencyMs(): LatencyMs {
    const max = this.latencyUs.maxValue / 1000;
    // The histogram answers a bucket's upper edge, which can lie past the largest latency recorded.
    const at = (percentile: number) => Math.min(this.latencyUs.getValueAtPercentile(percentile) / 1000, max);
    return { p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max };
  }
}
