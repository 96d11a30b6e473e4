/**
 * A real nginx running a rendered config in front of stand-in gateways:
 * what the directives promise (own /health, X-Backend-Id, failover only
 * before a POST was sent) is observed, not just read.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { renderNginxConfig, UpstreamAddress } from '../../nginx';
import { distinctFreePorts, freePort } from '../../local/dataTier';
import { RunningNginx, startNginx } from './nginxBinary';

interface Stub {
  address: UpstreamAddress;
  /** Method and path of every request the stub read. */
  seen: string[];
  close(): Promise<void>;
}

/** A gateway that answers every request with 201 and its X-Backend-Id. */
async function answeringGateway(backendId: string): Promise<Stub> {
  const seen: string[] = [];
  const server = http.createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    request.resume();
    request.on('end', () => {
      response.writeHead(request.method === 'POST' ? 201 : 200, { 'X-Backend-Id': backendId, 'Content-Type': 'application/json' });
      response.end('{"status":"accepted"}');
    });
  });
  return listening(server, seen);
}

/** A gateway that reads a request, then drops the connection without answering (a crash mid-request). */
async function droppingGateway(): Promise<Stub> {
  const seen: string[] = [];
  const server = net.createServer((socket) => {
    socket.once('data', (chunk) => {
      seen.push(chunk.toString().split(' ', 2).join(' '));
      socket.destroy();
    });
  });
  return listening(server, seen);
}

async function listening(server: net.Server, seen: string[]): Promise<Stub> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: { host: '127.0.0.1', port },
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Answer {
  status: number;
  backendId: string | undefined;
  body: string;
}

function send(port: number, method: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method, path, agent: false, headers: body ? { 'Content-Type': 'application/json' } : {} }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, backendId: response.headers['x-backend-id'] as string | undefined, body: text }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

async function sendMany(count: number, port: number, method: string): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < count; i++) {
    answers.push(await send(port, method, '/api/orders', method === 'POST' ? `{"n":${i}}` : undefined));
  }
  return answers;
}

describe('nginx running the rendered config', () => {
  const running: { stop(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((thing) => thing.stop()));
  });

  async function balancer(upstreams: UpstreamAddress[]): Promise<{ port: number; nginx: RunningNginx }> {
    // Never an upstream's port: one test lists a port nothing listens on, which must stay so.
    const [port] = await distinctFreePorts(1, upstreams.map((upstream) => upstream.port));
    // maxFails 0 keeps every gateway in rotation, so each request's first pick alternates.
    const config = renderNginxConfig({ upstreams, listenPort: port, listenAddress: '127.0.0.1', foreground: true, tuning: { maxFails: 0, workerProcesses: 1 } });
    const nginx = await startNginx(config, port);
    running.push(nginx);
    return { port, nginx };
  }

  function track(stub: Stub): Stub {
    running.push({ stop: stub.close });
    return stub;
  }

  it('answers /health itself and passes X-Backend-Id through from the gateway', async () => {
    const gateway = track(await answeringGateway('gateway-7'));
    const { port } = await balancer([gateway.address]);
    const health = await send(port, 'GET', '/health');
    assert.deepEqual([health.status, health.body], [200, 'ok\n']);
    assert.deepEqual(gateway.seen, [], 'nginx answered /health without a gateway');
    const order = await send(port, 'POST', '/api/orders', '{}');
    assert.deepEqual([order.status, order.backendId], [201, 'gateway-7']);
  });

  it('sends a POST to another gateway when the first refuses the connection', async () => {
    const refusing = await freePort();
    const gateway = track(await answeringGateway('gateway-2'));
    const { port } = await balancer([{ host: '127.0.0.1', port: refusing }, gateway.address]);
    const answers = await sendMany(6, port, 'POST');
    assert.deepEqual(answers.map((a) => a.status), [201, 201, 201, 201, 201, 201]);
    assert.equal(gateway.seen.filter((line) => line.startsWith('POST')).length, 6);
  });

  it('never replays a POST that reached a gateway, but retries a GET', async () => {
    const dropping = track(await droppingGateway());
    const gateway = track(await answeringGateway('gateway-2'));
    const { port } = await balancer([dropping.address, gateway.address]);

    const posts = await sendMany(6, port, 'POST');
    const failed = posts.filter((a) => a.status === 502).length;
    assert.ok(failed > 0, 'some POSTs were sent to the dropping gateway first');
    assert.equal(dropping.seen.filter((line) => line.startsWith('POST')).length, failed, 'each failed POST reached only the dropping gateway');
    assert.equal(gateway.seen.filter((line) => line.startsWith('POST')).length, 6 - failed, 'no failed POST was passed on');

    const gets = await sendMany(6, port, 'GET');
    assert.deepEqual(gets.map((a) => a.status), [200, 200, 200, 200, 200, 200], 'an idempotent GET moves on to the next gateway');
    assert.ok(dropping.seen.some((line) => line.startsWith('GET')), 'the GETs did reach the dropping gateway first');
  });
});
