/**
 * Renders the load balancer's nginx.conf (main, events and http blocks) as a
 * pure function of the upstream list, the listen port, the tuning and the
 * paths nginx may write to. The same text serves the local stack (processes
 * on 127.0.0.1, `nginx -p PREFIX -c FILE` as any user), the docker target
 * (`backend-1:8000` …) and kubernetes (one re-resolved headless Service name).
 */

/** One gateway nginx sends requests to. */
export interface UpstreamAddress {
  host: string;
  port: number;
}

/**
 * One DNS name whose A records are the gateways, re-resolved while nginx runs
 * (kubernetes' headless Service). Emits `server … resolve`, which needs
 * nginx ≥ 1.27.3; the static list works with any nginx.
 */
export interface ResolvedUpstream {
  resolve: UpstreamAddress;
  /** DNS servers nginx asks, e.g. `kube-dns.kube-system.svc.cluster.local`. */
  resolvers: string[];
  /** How long an answer is reused before nginx asks again. Default `5s`. */
  valid?: string;
}

export type NginxUpstreams = UpstreamAddress[] | ResolvedUpstream;

export const BALANCING_ALGORITHMS = ['least_conn', 'round_robin', 'random_two_least_conn'] as const;
export type BalancingAlgorithm = (typeof BALANCING_ALGORITHMS)[number];

/** Everything about nginx's behaviour that a stack may tune; defaults follow DESIGN.md. */
export interface NginxTuning {
  /** How a request picks its gateway. Default `least_conn`. */
  algorithm: BalancingAlgorithm;
  /**
   * Idle HTTP/1.1 connections each worker keeps open to the gateways. Default 128: it should exceed
   * the requests in flight, or connections freed in a burst are closed and opened again (DESIGN.md's 32,
   * under 64 client connections: about 1,700 new gateway connections in 10 s, against under 200 with 64 or more).
   */
  keepalive: number;
  /** How long an idle upstream connection is kept; must stay below the gateways' keep-alive timeout (fastify: 72 s). Default `60s`. */
  keepaliveTimeout: string;
  /** Size of each proxy buffer (`proxy_buffer_size`, `proxy_buffers 8 …`). Default `4k`. */
  bufferSize: string;
  /** Read and send timeout towards a gateway. Default `30s`. */
  timeout: string;
  /** Time to establish a connection to a gateway before trying another one. Default `5s`. */
  connectTimeout: string;
  /** Failed attempts within `failTimeout` that take a gateway out of rotation for `failTimeout`. Default 3. */
  maxFails: number;
  /** Window for `maxFails` and the time a failed gateway stays out. Default `10s`. */
  failTimeout: string;
  /** Gateways one request may try, counting the first (connect failures only). Default 3. */
  failoverTries: number;
  /** `worker_processes`: a count or `auto` (one per CPU). Default `auto`. */
  workerProcesses: number | 'auto';
  /** `worker_connections`: clients plus upstream connections per worker. Default 4096. */
  workerConnections: number;
  /** Largest request body accepted; an order is a few hundred bytes. Default `8k`. */
  clientMaxBodySize: string;
  /** Requests one client connection may carry before nginx closes it. Default 10000. */
  clientKeepaliveRequests: number;
  /** Shared memory for the upstream group's state (and resolved addresses). Default `64k`. */
  zoneSize: string;
  /** Log every request (costly at 10k orders/s). Default false. */
  accessLog: boolean;
  /** `error_log` level. Default `warn`. */
  errorLogLevel: 'debug' | 'info' | 'notice' | 'warn' | 'error' | 'crit' | 'alert' | 'emerg';
}

export const DEFAULT_NGINX_TUNING: Readonly<NginxTuning> = Object.freeze({
  algorithm: 'least_conn',
  keepalive: 128,
  keepaliveTimeout: '60s',
  bufferSize: '4k',
  timeout: '30s',
  connectTimeout: '5s',
  maxFails: 3,
  failTimeout: '10s',
  failoverTries: 3,
  workerProcesses: 'auto',
  workerConnections: 4096,
  clientMaxBodySize: '8k',
  clientKeepaliveRequests: 10000,
  zoneSize: '64k',
  accessLog: false,
  errorLogLevel: 'warn',
});

/**
 * Files nginx writes. Relative paths are resolved by nginx against its prefix
 * (`-p`), so the defaults keep everything inside a project folder.
 */
export interface NginxPaths {
  /** Default `nginx.pid`. */
  pidFile: string;
  /** A file or `stderr`. Default `stderr`. */
  errorLog: string;
  /** Where requests are logged when `tuning.accessLog` is on. Default `access.log`. */
  accessLog: string;
  /** An existing folder; nginx creates its `*_temp` folders inside. Default: the prefix. */
  tempDir: string;
}

export const DEFAULT_NGINX_PATHS: Readonly<NginxPaths> = Object.freeze({
  pidFile: 'nginx.pid',
  errorLog: 'stderr',
  accessLog: 'access.log',
  tempDir: '',
});

export interface NginxConfigInput {
  upstreams: NginxUpstreams;
  listenPort: number;
  /** Address to listen on, e.g. `127.0.0.1`; default every address. */
  listenAddress?: string;
  tuning?: Partial<NginxTuning>;
  paths?: Partial<NginxPaths>;
  /** Emit `daemon off;` (a supervisor owns the process). Leave off when the command line passes `-g 'daemon off;'`. */
  foreground?: boolean;
}

export class NginxConfigError extends Error {}

/** The upstream group's name in the rendered config. */
export const UPSTREAM_GROUP = 'order_gateways';

const SIZE = /^\d+[kKmM]?$/;
const TIME = /^(\d+(ms|s|m|h|d))+$|^\d+$/;
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*)$/;
const PATH_FORBIDDEN = /[;{}"'\\\n\r]/;

function fail(message: string): never {
  throw new NginxConfigError(message);
}

function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`);
  }
  return value;
}

function checkPattern(name: string, value: unknown, pattern: RegExp, example: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    fail(`${name} must look like ${example} (got ${JSON.stringify(value)})`);
  }
  return value;
}

function checkAddress(name: string, address: UpstreamAddress): UpstreamAddress {
  checkPattern(`${name}.host`, address?.host, HOST, 'backend-1, 127.0.0.1 or [::1]');
  checkInteger(`${name}.port`, address.port, 1, 65535);
  return address;
}

/** Fills in defaults and checks every field, naming the one that is wrong. */
export function resolveNginxTuning(tuning: Partial<NginxTuning> = {}): NginxTuning {
  const unknown = Object.keys(tuning).filter((key) => !(key in DEFAULT_NGINX_TUNING));
  if (unknown.length > 0) fail(`unknown nginx tuning ${unknown.join(', ')}; known: ${Object.keys(DEFAULT_NGINX_TUNING).join(', ')}`);
  const t: NginxTuning = { ...DEFAULT_NGINX_TUNING, ...definedOnly(tuning) };
  if (!BALANCING_ALGORITHMS.includes(t.algorithm)) {
    fail(`tuning.algorithm must be one of ${BALANCING_ALGORITHMS.join(', ')} (got ${JSON.stringify(t.algorithm)})`);
  }
  checkInteger('tuning.keepalive', t.keepalive, 1, 10000);
  checkInteger('tuning.maxFails', t.maxFails, 0, 1000);
  checkInteger('tuning.failoverTries', t.failoverTries, 1, 64);
  checkInteger('tuning.workerConnections', t.workerConnections, 64, 1 << 20);
  checkInteger('tuning.clientKeepaliveRequests', t.clientKeepaliveRequests, 1, 1 << 30);
  if (t.workerProcesses !== 'auto') checkInteger('tuning.workerProcesses', t.workerProcesses, 1, 1024);
  for (const key of ['bufferSize', 'clientMaxBodySize', 'zoneSize'] as const) checkPattern(`tuning.${key}`, t[key], SIZE, '4k, 64k or 1m');
  for (const key of ['keepaliveTimeout', 'timeout', 'connectTimeout', 'failTimeout'] as const) {
    checkPattern(`tuning.${key}`, t[key], TIME, '30s, 500ms or 1m');
  }
  if (typeof t.accessLog !== 'boolean') fail(`tuning.accessLog must be true or false (got ${JSON.stringify(t.accessLog)})`);
  const levels = ['debug', 'info', 'notice', 'warn', 'error', 'crit', 'alert', 'emerg'];
  if (!levels.includes(t.errorLogLevel)) fail(`tuning.errorLogLevel must be one of ${levels.join(', ')}`);
  return t;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function resolvePaths(paths: Partial<NginxPaths> = {}): NginxPaths {
  const p: NginxPaths = { ...DEFAULT_NGINX_PATHS, ...definedOnly(paths) };
  for (const key of Object.keys(p) as (keyof NginxPaths)[]) {
    if (typeof p[key] !== 'string' || PATH_FORBIDDEN.test(p[key])) {
      fail(`paths.${key} must be a path without quotes, backslashes, ";", "{" or "}" (got ${JSON.stringify(p[key])})`);
    }
    if (key !== 'tempDir' && p[key] === '') fail(`paths.${key} must not be empty`);
  }
  return p;
}

function quoted(path: string): string {
  return `"${path}"`;
}

function tempPath(tempDir: string, name: string): string {
  return quoted(tempDir === '' ? name : `${tempDir.replace(/\/+$/, '')}/${name}`);
}

function isResolved(upstreams: NginxUpstreams): upstreams is ResolvedUpstream {
  return !Array.isArray(upstreams);
}

function checkUpstreams(upstreams: NginxUpstreams): NginxUpstreams {
  if (upstreams === undefined || upstreams === null) fail('upstreams is missing: give at least one gateway {host, port}');
  if (!isResolved(upstreams)) {
    if (upstreams.length === 0) fail('upstreams is empty: nginx needs at least one gateway {host, port} to send orders to');
    const seen = new Set<string>();
    upstreams.forEach((address, index) => {
      checkAddress(`upstreams[${index}]`, address);
      const key = `${address.host}:${address.port}`;
      if (seen.has(key)) fail(`upstreams[${index}] repeats ${key}`);
      seen.add(key);
    });
    return upstreams;
  }
  checkAddress('upstreams.resolve', upstreams.resolve);
  if (!Array.isArray(upstreams.resolvers) || upstreams.resolvers.length === 0) {
    fail('upstreams.resolvers is empty: a re-resolved upstream needs a DNS server (e.g. kube-dns.kube-system.svc.cluster.local)');
  }
  upstreams.resolvers.forEach((resolver, index) => checkPattern(`upstreams.resolvers[${index}]`, resolver, HOST, '10.96.0.10 or kube-dns.kube-system.svc.cluster.local'));
  if (upstreams.valid !== undefined) checkPattern('upstreams.valid', upstreams.valid, TIME, '5s');
  return upstreams;
}

function balancingDirective(algorithm: BalancingAlgorithm): string[] {
  switch (algorithm) {
    case 'least_conn':
      return ['least_conn;'];
    case 'random_two_least_conn':
      return ['random two least_conn;'];
    case 'round_robin':
      return [];
  }
}

function upstreamBlock(upstreams: NginxUpstreams, t: NginxTuning): string[] {
  const health = `max_fails=${t.maxFails} fail_timeout=${t.failTimeout}`;
  const servers = isResolved(upstreams)
    ? [
        '# The headless Service name is re-resolved while nginx runs, so pods that come and go',
        '# are picked up without a reload (nginx >= 1.27.3; needs the zone and a resolver).',
        `server ${upstreams.resolve.host}:${upstreams.resolve.port} resolve ${health};`,
      ]
    : upstreams.map((a) => `server ${a.host}:${a.port} ${health};`);
  return [
    `upstream ${UPSTREAM_GROUP} {`,
    ...indent([
      '# Shared by every worker, so least_conn counts all of nginx\'s connections, not one worker\'s.',
      `zone ${UPSTREAM_GROUP} ${t.zoneSize};`,
      // The balancing method must come before keepalive (nginx docs, "keepalive").
      ...balancingDirective(t.algorithm),
      ...servers,
      `keepalive ${t.keepalive};`,
      `keepalive_timeout ${t.keepaliveTimeout};`,
    ]),
    '}',
  ];
}

function indent(lines: string[], depth = 1): string[] {
  const pad = '    '.repeat(depth);
  return lines.map((line) => (line === '' ? '' : pad + line));
}

/**
 * Failover. `proxy_next_upstream error timeout` without `non_idempotent`:
 * nginx tries another gateway on a connection error or timeout, but never
 * passes a POST (or PATCH, LOCK) to a second gateway once any of it was sent
 * to the first (nginx ≥ 1.9.13). So a POST /api/orders moves on only when the
 * connection could not be made, before a byte of the order left nginx; once
 * sent, a failure answers 502/504 and the client retries with its
 * clientOrderId. Idempotent requests (GET, DELETE of the same order) may be
 * repeated. http_5xx is not listed: a 503 from an overloaded gateway is an
 * answer, not a failure, and must neither be retried nor count in max_fails.
 * The upstream keepalive_timeout is shorter than the gateways' own, so nginx
 * does not send an order on a connection the gateway is closing.
 */
function proxyDirectives(t: NginxTuning): string[] {
  return [
    `proxy_pass http://${UPSTREAM_GROUP};`,
    '# HTTP/1.1 with an empty Connection header keeps upstream connections open for reuse.',
    'proxy_http_version 1.1;',
    'proxy_set_header Connection "";',
    'proxy_set_header Host $host;',
    'proxy_set_header X-Real-IP $remote_addr;',
    'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    'proxy_set_header X-Forwarded-Proto $scheme;',
    '# Another gateway is tried on connect errors; a POST never once sent (see nginx/render.ts).',
    'proxy_next_upstream error timeout;',
    `proxy_next_upstream_tries ${t.failoverTries};`,
    `proxy_connect_timeout ${t.connectTimeout};`,
    `proxy_send_timeout ${t.timeout};`,
    `proxy_read_timeout ${t.timeout};`,
    `proxy_buffer_size ${t.bufferSize};`,
    `proxy_buffers 8 ${t.bufferSize};`,
    '# Responses that outgrow the buffers stream to the client instead of to a temp file.',
    'proxy_max_temp_file_size 0;',
    '# Response headers such as X-Backend-Id pass through untouched (nothing is hidden).',
  ];
}

/** Renders a complete nginx.conf; throws NginxConfigError naming the first bad input. */
export function renderNginxConfig(input: NginxConfigInput): string {
  if (input === undefined || input === null) fail('renderNginxConfig needs {upstreams, listenPort}');
  const upstreams = checkUpstreams(input.upstreams);
  checkInteger('listenPort', input.listenPort, 1, 65535);
  if (input.listenAddress !== undefined) checkPattern('listenAddress', input.listenAddress, HOST, '127.0.0.1, 0.0.0.0 or [::]');
  const t = resolveNginxTuning(input.tuning);
  const p = resolvePaths(input.paths);
  const listen = input.listenAddress === undefined ? `${input.listenPort}` : `${input.listenAddress}:${input.listenPort}`;

  const http = [
    'server_tokens off;',
    ...(t.accessLog
      ? [
          'log_format upstreams \'$remote_addr [$time_local] "$request" $status $body_bytes_sent \'',
          '                     \'upstream=$upstream_addr backend=$upstream_http_x_backend_id \'',
          '                     \'rt=$request_time urt=$upstream_response_time\';',
          `access_log ${quoted(p.accessLog)} upstreams;`,
        ]
      : ['access_log off;']),
    `client_body_temp_path ${tempPath(p.tempDir, 'client_body_temp')};`,
    `proxy_temp_path ${tempPath(p.tempDir, 'proxy_temp')};`,
    `fastcgi_temp_path ${tempPath(p.tempDir, 'fastcgi_temp')};`,
    `uwsgi_temp_path ${tempPath(p.tempDir, 'uwsgi_temp')};`,
    `scgi_temp_path ${tempPath(p.tempDir, 'scgi_temp')};`,
    ...(isResolved(upstreams)
      ? [`resolver ${upstreams.resolvers.join(' ')} valid=${upstreams.valid ?? '5s'};`, 'resolver_timeout 5s;']
      : []),
    '',
    ...upstreamBlock(upstreams, t),
    '',
    'server {',
    ...indent([
      `listen ${listen};`,
      `client_max_body_size ${t.clientMaxBodySize};`,
      '# Bodies this small stay in memory, never in a temp file.',
      `client_body_buffer_size ${t.clientMaxBodySize};`,
      `keepalive_requests ${t.clientKeepaliveRequests};`,
      '',
      '# nginx\'s own liveness, answered without a gateway.',
      'location = /health {',
      ...indent(['access_log off;', 'default_type text/plain;', 'return 200 "ok\\n";']),
      '}',
      '',
      'location / {',
      ...indent(proxyDirectives(t)),
      '}',
    ]),
    '}',
  ];

  return [
    '# Rendered by nginx/render.ts from the stack\'s tuning; change the tuning, not this file.',
    `worker_processes ${t.workerProcesses};`,
    `pid ${quoted(p.pidFile)};`,
    p.errorLog === 'stderr' ? `error_log stderr ${t.errorLogLevel};` : `error_log ${quoted(p.errorLog)} ${t.errorLogLevel};`,
    ...(input.foreground ? ['daemon off;'] : []),
    '',
    'events {',
    ...indent([`worker_connections ${t.workerConnections};`]),
    '}',
    '',
    'http {',
    ...indent(http),
    '}',
    '',
  ].join('\n');
}
