import * as assert from 'node:assert/strict';
import { GatewayMetrics } from '../../backend/gateway/plugins/metrics';
import { addCounts, orderAnswers } from '../../loadtest/orderAnswers';

describe('order answers read from a gateway’s metrics (bench:stack’s check against PostgreSQL)', () => {
  it('counts POST /api/orders answers per status code, and nothing else', async () => {
    // The gateway's own metrics class, so that the format read is the one a gateway serves.
    const metrics = new GatewayMetrics({ gateway: 'backend-1', worker: '0' });
    for (let i = 0; i < 5; i++) metrics.observeRequest('POST', '/api/orders', 201, 0.004);
    for (let i = 0; i < 2; i++) metrics.observeRequest('POST', '/api/orders', 200, 0.02);
    metrics.observeRequest('POST', '/api/orders', 400, 0.001);
    metrics.observeRequest('GET', '/api/orders/:id', 200, 0.001);
    metrics.observeRequest('DELETE', '/api/orders/:id', 200, 0.001);
    const answers = orderAnswers(await metrics.registry.metrics());
    assert.deepEqual(Object.fromEntries(answers), { '201': 5, '200': 2, '400': 1 });
  });

  it('adds the counts of several gateways', () => {
    const sum = addCounts(new Map([['201', 3], ['200', 1]]), new Map([['201', 4], ['503', 2]]));
    assert.deepEqual(Object.fromEntries(sum), { '201': 7, '200': 1, '503': 2 });
  });
});
