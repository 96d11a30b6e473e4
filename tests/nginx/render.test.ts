import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DEFAULT_NGINX_TUNING,
  NginxConfigError,
  NginxConfigInput,
  NginxTuning,
  renderNginxConfig,
  resolveNginxTuning,
  UpstreamAddress,
} from '../../nginx';
import { checkConfig, makePrefix, nginxVersion } from './nginxBinary';
import { MAX_BACKENDS } from '../../components/config';

function gateways(count: number, host: (i: number) => string = () => '127.0.0.1', port = (i: number) => 8000 + i): UpstreamAddress[] {
  return Array.from({ length: count }, (_, i) => ({ host: host(i + 1), port: port(i + 1) }));
}

/** The lines of one block (`upstream order_gateways {`, `location / {` …), without the braces. */
function block(config: string, opener: string): string[] {
  const lines = config.split('\n').map((line) => line.trim());
  const start = lines.indexOf(`${opener} {`);
  assert.notEqual(start, -1, `no "${opener} {" block in:\n${config}`);
  const end = lines.indexOf('}', start);
  return lines.slice(start + 1, end).filter((line) => line !== '' && !line.startsWith('#'));
}

function directives(config: string): string[] {
  return config.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
}

function assertValid(config: string, prefix = makePrefix()): string {
  const check = checkConfig(config, prefix);
  assert.ok(check.ok, `nginx -t refused the config: ${check.output}\n${config}`);
  return check.prefix;
}

const local: NginxConfigInput = { upstreams: gateways(4), listenPort: 18080, listenAddress: '127.0.0.1' };

describe('renderNginxConfig', () => {
  // MAX_BACKENDS: the default upstream zone (64k) must hold the largest stack config allows (65 servers do not fit).
  for (const count of [1, 4, 8, MAX_BACKENDS]) {
    it(`lists ${count} gateway(s) as upstream servers and passes nginx -t`, () => {
      const config = renderNginxConfig({ upstreams: gateways(count, (i) => `127.0.0.${i}`), listenPort: 18080 });
      const servers = block(config, 'upstream order_gateways').filter((line) => line.startsWith('server '));
      assert.deepEqual(
        servers,
        gateways(count, (i) => `127.0.0.${i}`).map((g) => `server ${g.host}:${g.port} max_fails=3 fail_timeout=10s;`),
      );
      assertValid(config);
    });
  }

  it('renders the docker target\'s backend-N names, each resolvable at start', () => {
    const config = renderNginxConfig({ upstreams: gateways(3, (i) => `backend-${i}`, () => 8000), listenPort: 8080 });
    assert.deepEqual(
      block(config, 'upstream order_gateways').filter((line) => line.startsWith('server ')),
      ['server backend-1:8000 max_fails=3 fail_timeout=10s;', 'server backend-2:8000 max_fails=3 fail_timeout=10s;', 'server backend-3:8000 max_fails=3 fail_timeout=10s;'],
    );
    // nginx resolves static names when it starts; on this machine only localhost resolves.
    assertValid(renderNginxConfig({ upstreams: [{ host: 'localhost', port: 8000 }], listenPort: 8080 }));
  });

  it('balances least_conn over a zone shared by the workers, then keeps 128 connections alive', () => {
    const upstream = block(renderNginxConfig(local), 'upstream order_gateways');
    assert.equal(upstream[0], 'zone order_gateways 64k;');
    assert.equal(upstream[1], 'least_conn;');
    // keepalive must follow the balancing method or nginx falls back to round robin.
    assert.ok(upstream.indexOf('keepalive 128;') > upstream.indexOf('least_conn;'));
    assert.ok(upstream.includes('keepalive_timeout 60s;'));
  });

  it('proxies over HTTP/1.1 keep-alive with 4k buffers and 30s timeouts', () => {
    const proxy = block(renderNginxConfig(local), 'location /');
    for (const line of [
      'proxy_pass http://order_gateways;',
      'proxy_http_version 1.1;',
      'proxy_set_header Connection "";',
      'proxy_buffer_size 4k;',
      'proxy_buffers 8 4k;',
      'proxy_read_timeout 30s;',
      'proxy_send_timeout 30s;',
      'proxy_connect_timeout 5s;',
    ]) {
      assert.ok(proxy.includes(line), `missing ${line} in ${proxy.join('\n')}`);
    }
    assert.ok(!proxy.some((line) => line.startsWith('proxy_hide_header')), 'X-Backend-Id must pass through');
  });

  it('fails over on connect errors only, never replaying a sent POST', () => {
    const config = renderNginxConfig(local);
    const nextUpstream = directives(config).filter((line) => line.startsWith('proxy_next_upstream '));
    assert.deepEqual(nextUpstream, ['proxy_next_upstream error timeout;']);
    assert.ok(!config.includes('non_idempotent'));
    assert.ok(!config.includes('http_5'), 'a 503 from an overloaded gateway is an answer, not a failure');
    assert.ok(directives(config).includes('proxy_next_upstream_tries 3;'));
  });

  it('answers its own /health, logs no requests by default and accepts only small bodies', () => {
    const config = renderNginxConfig(local);
    assert.deepEqual(block(config, 'location = /health'), ['access_log off;', 'default_type text/plain;', 'return 200 "ok\\n";']);
    assert.ok(directives(config).includes('access_log off;'));
    assert.ok(!config.includes('log_format'));
    assert.ok(directives(config).includes('client_max_body_size 8k;'));
    assert.ok(directives(config).includes('listen 127.0.0.1:18080;'));
    assert.ok(directives(config).includes('worker_processes auto;'));
  });

  it('applies every tuning value and the result still passes nginx -t', () => {
    const prefix = makePrefix();
    const config = renderNginxConfig({
      ...local,
      tuning: {
        algorithm: 'random_two_least_conn',
        keepalive: 64,
        bufferSize: '8k',
        timeout: '10s',
        connectTimeout: '1s',
        maxFails: 5,
        failTimeout: '20s',
        failoverTries: 2,
        workerProcesses: 2,
        workerConnections: 1024,
        clientMaxBodySize: '16k',
        accessLog: true,
        errorLogLevel: 'error',
      },
      paths: { accessLog: 'logs/access.log' },
    });
    fs.mkdirSync(path.join(prefix, 'logs'));
    assertValid(config, prefix);
    const lines = directives(config);
    for (const line of [
      'random two least_conn;',
      'keepalive 64;',
      'proxy_buffers 8 8k;',
      'proxy_read_timeout 10s;',
      'proxy_connect_timeout 1s;',
      'proxy_next_upstream_tries 2;',
      'worker_processes 2;',
      'worker_connections 1024;',
      'client_max_body_size 16k;',
      'error_log stderr error;',
      'access_log "logs/access.log" upstreams;',
    ]) {
      assert.ok(lines.includes(line), `missing ${line}`);
    }
    assert.ok(lines.some((line) => line.endsWith('max_fails=5 fail_timeout=20s;')));
    assert.ok(fs.existsSync(path.join(prefix, 'logs', 'access.log')), 'the access log opens inside the prefix');
  });

  it('renders round robin as no balancing directive at all', () => {
    const upstream = block(renderNginxConfig({ ...local, tuning: { algorithm: 'round_robin' } }), 'upstream order_gateways');
    assert.ok(!upstream.some((line) => line.includes('least_conn') || line.startsWith('random')));
    assertValid(renderNginxConfig({ ...local, tuning: { algorithm: 'round_robin' } }));
  });

  it('keeps pid and temp folders inside the prefix, so nginx runs from a project folder', () => {
    const prefix = assertValid(renderNginxConfig(local));
    const made = fs.readdirSync(prefix).sort();
    assert.deepEqual(made, ['client_body_temp', 'fastcgi_temp', 'nginx.conf', 'nginx.pid', 'proxy_temp', 'scgi_temp', 'uwsgi_temp']);
  });

  it('writes pid, error log and temp folders where the paths say (containers: /tmp)', () => {
    const elsewhere = makePrefix();
    const config = renderNginxConfig({
      ...local,
      paths: { pidFile: `${elsewhere}/nginx.pid`, errorLog: `${elsewhere}/error.log`, tempDir: elsewhere },
      foreground: true,
    });
    assert.ok(directives(config).includes('daemon off;'));
    assert.ok(directives(config).includes(`error_log "${elsewhere}/error.log" warn;`));
    assert.ok(directives(config).includes(`pid "${elsewhere}/nginx.pid";`));
    const prefix = assertValid(config);
    assert.deepEqual(fs.readdirSync(prefix), ['nginx.conf']);
    assert.deepEqual(fs.readdirSync(elsewhere).sort(), ['client_body_temp', 'error.log', 'fastcgi_temp', 'nginx.pid', 'proxy_temp', 'scgi_temp', 'uwsgi_temp']);
  });

  describe('kubernetes: one re-resolved headless Service name', () => {
    const resolved: NginxConfigInput = {
      upstreams: { resolve: { host: 'backend.hft.svc.cluster.local', port: 8000 }, resolvers: ['kube-dns.kube-system.svc.cluster.local'] },
      listenPort: 8080,
    };

    it('emits one `server … resolve` with the zone and a resolver', () => {
      const config = renderNginxConfig(resolved);
      const upstream = block(config, 'upstream order_gateways');
      assert.deepEqual(upstream.filter((line) => line.startsWith('server ')), [
        'server backend.hft.svc.cluster.local:8000 resolve max_fails=3 fail_timeout=10s;',
      ]);
      assert.ok(upstream.includes('zone order_gateways 64k;'), '`resolve` needs the shared zone');
      assert.ok(directives(config).includes('resolver kube-dns.kube-system.svc.cluster.local valid=5s;'));
      assert.equal(config.match(/\bresolve\b/g)?.length, 1);
    });

    it('never emits resolve or resolver for a static list', () => {
      // MAX_BACKENDS: the default upstream zone (64k) must hold the largest stack config allows (65 servers do not fit).
  for (const count of [1, 4, 8, MAX_BACKENDS]) {
        const config = renderNginxConfig({ upstreams: gateways(count), listenPort: 8080 });
        assert.ok(!/\bresolve\b|\bresolver\b/.test(config), config);
      }
    });

    it('is a valid config for this nginx: as is on >= 1.27.3, else with only the resolve parameter taken out', () => {
      const config = renderNginxConfig({
        upstreams: { resolve: { host: 'localhost', port: 8000 }, resolvers: ['127.0.0.1'], valid: '10s' },
        listenPort: 8080,
      });
      const [major, minor, patch] = nginxVersion();
      const knowsResolve = major > 1 || (major === 1 && (minor > 27 || (minor === 27 && patch >= 3)));
      if (knowsResolve) {
        assertValid(config);
      } else {
        const refused = checkConfig(config);
        assert.ok(!refused.ok && /resolve/.test(refused.output), `nginx ${major}.${minor}.${patch} should refuse only "resolve": ${refused.output}`);
        const withoutResolve = config.replace(' resolve max_fails', ' max_fails');
        assert.equal(withoutResolve.split('\n').filter((line, i) => line !== config.split('\n')[i]).length, 1);
        assertValid(withoutResolve);
      }
    });
  });

  describe('refuses bad input with a message naming it', () => {
    const cases: [string, () => unknown, RegExp][] = [
      ['no upstreams', () => renderNginxConfig({ upstreams: [], listenPort: 8080 }), /upstreams is empty/],
      ['a missing upstream list', () => renderNginxConfig({ listenPort: 8080 } as NginxConfigInput), /upstreams is missing/],
      ['a bad port', () => renderNginxConfig({ upstreams: [{ host: 'a', port: 70000 }], listenPort: 8080 }), /upstreams\[0\]\.port/],
      ['a bad host', () => renderNginxConfig({ upstreams: [{ host: 'a b;', port: 1 }], listenPort: 8080 }), /upstreams\[0\]\.host/],
      ['a repeated gateway', () => renderNginxConfig({ upstreams: [{ host: 'a', port: 1 }, { host: 'a', port: 1 }], listenPort: 8080 }), /upstreams\[1\] repeats a:1/],
      ['a bad listen port', () => renderNginxConfig({ upstreams: gateways(1), listenPort: 0 }), /listenPort/],
      ['no resolver', () => renderNginxConfig({ upstreams: { resolve: { host: 'a', port: 1 }, resolvers: [] }, listenPort: 8080 }), /resolvers is empty/],
      ['an unknown algorithm', () => resolveNginxTuning({ algorithm: 'ip_hash' as 'least_conn' }), /tuning\.algorithm must be one of least_conn, round_robin/],
      ['a bad size', () => resolveNginxTuning({ bufferSize: '4 KB' }), /tuning\.bufferSize/],
      ['a bad time', () => resolveNginxTuning({ timeout: 'soon' }), /tuning\.timeout/],
      ['a zero keepalive', () => resolveNginxTuning({ keepalive: 0 }), /tuning\.keepalive must be an integer from 1/],
      ['a fractional worker count', () => resolveNginxTuning({ workerProcesses: 1.5 }), /tuning\.workerProcesses/],
      ['an unknown tuning key', () => resolveNginxTuning({ keepAlive: 3 } as unknown as Partial<NginxTuning>), /unknown nginx tuning keepAlive/],
      ['a path that would break the file', () => renderNginxConfig({ ...local, paths: { pidFile: 'x";' } }), /paths\.pidFile/],
    ];
    for (const [what, render, message] of cases) {
      it(what, () => assert.throws(render, (error: unknown) => error instanceof NginxConfigError && message.test(error.message)));
    }
  });

  it('defaults match DESIGN.md, but for a keepalive pool above the load tester\'s 64 connections', () => {
    assert.deepEqual(
      [DEFAULT_NGINX_TUNING.algorithm, DEFAULT_NGINX_TUNING.bufferSize, DEFAULT_NGINX_TUNING.timeout, DEFAULT_NGINX_TUNING.maxFails],
      ['least_conn', '4k', '30s', 3],
    );
    assert.equal(DEFAULT_NGINX_TUNING.keepalive, 128);
  });
});
