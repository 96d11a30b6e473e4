import * as assert from 'node:assert/strict';
import { GatewayMetrics } from '../../backend/gateway/plugins/metrics';
import { addCounts, describeNon2xx, orderAnswers, refusalsBetween } from '../../loadtest/orderAnswers';

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

  it('names the status codes behind the non-2xx count: the gateways’ refusals during the run, and what no gateway answered', () => {
    const before = new Map([['201', 100], ['409', 1]]);
    const after = new Map([['201', 150], ['200', 3], ['409', 11], ['400', 2]]);
    const refusals = refusalsBetween(before, after);
    assert.deepEqual(Object.fromEntries(refusals), { '409': 10, '400': 2 });
    assert.equal(describeNon2xx(12, refusals), '12 (gateways: 400 ×2, 409 ×10)');
    assert.equal(describeNon2xx(15, refusals), '15 (gateways: 400 ×2, 409 ×10; not from a gateway: 3)');
    assert.equal(describeNon2xx(4, new Map()), '4 (gateways: none; not from a gateway: 4)');
    assert.equal(describeNon2xx(0, new Map()), '0');
  });
});
