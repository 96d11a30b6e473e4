/**
 * The lab's images on the lab's engine, for real: each stand-in honours the
 * official image's interface the docker target relies on, and the backend
 * image builds from backend/Dockerfile on the node stand-in.
 * Run with `npm run test:containers` (root; builds images on a cold machine).
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import Docker from 'dockerode';
import { LAB_OWNER_LABEL } from '../../lab/applier/labStack';
import { BACKEND_ALIAS, buildBackendImage } from '../../lab/backendImage';
import { ensureBaseImage, LabImage } from '../../lab/baseImage';
import { execIn, removeLabeled, runToCompletion, waitHealthy } from '../../lab/containerOps';
import { startDaemon, stopDaemon } from '../../lab/daemon';
import { ensureHostPackages } from '../../lab/packages';
import { labPaths } from '../../lab/paths';
import { ensureStandIn, StandInName } from '../../lab/standIns';
import { tarOf } from '../../lab/tarFile';

// The lab's owner label: lab down removes whatever a failed run leaves behind.
const TEST_LABEL = LAB_OWNER_LABEL;
const RUN_ID = `test-stand-ins-${process.pid}`;
const labels = { [TEST_LABEL]: RUN_ID };

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('lab stand-in images (on the lab dockerd)', function () {
  this.timeout(15 * 60_000);
  const paths = labPaths();
  const network = `hft-lab-test-${process.pid}`;
  const images = {} as Record<StandInName, LabImage>;
  let docker: Docker;
  let startedDaemon = false;

  /** A container started the way the docker target starts them (user, volume, uploads, health check). */
  interface Service {
    name: string;
    image: string;
    cmd?: string[];
    env?: string[];
    user?: string;
    volume?: { name: string; path: string };
    healthcheck?: string[];
    publish?: string;
    files?: { path: string; content: string }[];
  }

  async function startService(s: Service): Promise<string> {
    if (s.volume) await docker.createVolume({ Name: s.volume.name, Labels: labels });
    const container = await docker.createContainer({
      name: `${network}-${s.name}`,
      Image: s.image,
      Cmd: s.cmd,
      Env: s.env,
      User: s.user,
      Labels: labels,
      ExposedPorts: s.publish ? { [s.publish]: {} } : undefined,
      Healthcheck: s.healthcheck ? { Test: ['CMD', ...s.healthcheck], Interval: 500_000_000, Retries: 60 } : undefined,
      HostConfig: {
        NetworkMode: network,
        Mounts: s.volume ? [{ Type: 'volume', Source: s.volume.name, Target: s.volume.path }] : undefined,
        PortBindings: s.publish ? { [s.publish]: [{ HostIp: '127.0.0.1', HostPort: '' }] } : undefined,
      },
      NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [s.name] } } },
    });
    if (s.files) await container.putArchive(tarOf(s.files), { path: '/' });
    await container.start();
    await waitHealthy(docker, container.id);
    return container.id;
  }

  async function publishedPort(container: string, port: string): Promise<number> {
    const info = await docker.getContainer(container).inspect();
    return Number(info.NetworkSettings.Ports[port]?.[0]?.HostPort);
  }

  before(async () => {
    await ensureHostPackages();
    ({ docker, started: startedDaemon } = await startDaemon(paths));
    const base = await ensureBaseImage(docker, paths);
    for (const name of ['postgres', 'redis', 'nginx', 'node'] as const) images[name] = await ensureStandIn(docker, paths, name, base);
    await docker.createNetwork({ Name: network, Labels: labels });
  });

  after(async () => {
    if (!docker) return;
    await removeLabeled(docker, TEST_LABEL, RUN_ID);
    if (startedDaemon) await stopDaemon(paths);
  });

  it('postgres: as user 999 with PGDATA below a fresh volume, initdb from POSTGRES_*; a password login over the network, a wrong one refused', async () => {
    await startService({
      name: 'db',
      image: images.postgres.alias,
      cmd: ['postgres', '-c', 'max_connections=150'],
      env: ['POSTGRES_USER=hft', 'POSTGRES_PASSWORD=pa ss#1', 'POSTGRES_DB=orders', 'PGDATA=/var/lib/postgresql/data/pgdata'],
      user: '999:999',
      volume: { name: `${network}-pgdata`, path: '/var/lib/postgresql/data' },
      healthcheck: ['pg_isready', '-h', '127.0.0.1', '-U', 'hft', '-d', 'orders'],
    });
    const psql = (password: string) =>
      runToCompletion(docker, {
        image: images.postgres.alias,
        cmd: ['psql', '-h', 'db', '-U', 'hft', '-d', 'orders', '-tAc', 'SELECT current_user || \'@\' || current_database()'],
        env: [`PGPASSWORD=${password}`],
        network,
        labels,
      });
    const good = await psql('pa ss#1');
    assert.equal(good.exitCode, 0, good.stderr);
    assert.equal(good.stdout.trim(), 'hft@orders');
    const settings = await runToCompletion(docker, {
      image: images.postgres.alias,
      cmd: ['psql', '-h', 'db', '-U', 'hft', '-d', 'orders', '-tAc', 'SHOW max_connections'],
      env: ['PGPASSWORD=pa ss#1'],
      network,
      labels,
    });
    assert.equal(settings.stdout.trim(), '150', 'the command line reaches postgres');
    const bad = await psql('wrong');
    assert.notEqual(bad.exitCode, 0);
    assert.match(bad.stderr, /password authentication failed for user "hft"/);
  });

  it('redis: as user 999 on a volume, started through sh -c as the docker target does; --requirepass enforced, append-only on', async () => {
    await startService({
      name: 'cache',
      image: images.redis.alias,
      cmd: ['sh', '-c', 'exec redis-server --appendonly yes --appendfsync everysec --requirepass "$REDIS_PASSWORD"'],
      env: ['REDIS_PASSWORD=s3cret'],
      user: '999:999',
      volume: { name: `${network}-redis`, path: '/data' },
      healthcheck: ['sh', '-c', 'redis-cli -a "$REDIS_PASSWORD" --no-auth-warning ping | grep -q PONG'],
    });
    const cli = (...args: string[]) => runToCompletion(docker, { image: images.redis.alias, cmd: ['redis-cli', '-h', 'cache', ...args], network, labels });
    assert.match((await cli('ping')).stdout, /NOAUTH/);
    assert.equal((await cli('-a', 's3cret', '--no-auth-warning', 'ping')).stdout.trim(), 'PONG');
    const aof = await cli('-a', 's3cret', '--no-auth-warning', 'config', 'get', 'appendonly');
    assert.deepEqual(aof.stdout.trim().split('\n'), ['appendonly', 'yes']);
    const mode = await cli('-a', 's3cret', '--no-auth-warning', 'config', 'get', 'protected-mode');
    assert.deepEqual(mode.stdout.trim().split('\n'), ['protected-mode', 'no'], 'the official default');
  });

  it('nginx: answers on a published 127.0.0.1 port, with the default page, and as user 101 with an uploaded config', async () => {
    const stock = await startService({ name: 'web', image: images.nginx.alias, publish: '80/tcp', healthcheck: ['curl', '-fsS', 'http://127.0.0.1/'] });
    const page = await get(`http://127.0.0.1:${await publishedPort(stock, '80/tcp')}/`);
    assert.equal(page.status, 200);
    assert.match(page.body, /Welcome to nginx/);

    // Unprivileged, as the docker target runs it: everything nginx writes goes to /tmp or its streams.
    const conf = [
      'pid /tmp/nginx.pid;',
      'error_log stderr warn;',
      'events {}',
      'http {',
      '  client_body_temp_path /tmp/client_body; proxy_temp_path /tmp/proxy; fastcgi_temp_path /tmp/fastcgi;',
      '  uwsgi_temp_path /tmp/uwsgi; scgi_temp_path /tmp/scgi; access_log /dev/stdout;',
      '  upstream cache_page { server web:80; }',
      '  server {',
      '    listen 8080;',
      '    location = /lab { return 200 "configured\\n"; }',
      '    location / { proxy_pass http://cache_page; }',
      '  }',
      '}',
    ].join('\n');
    const proxy = await startService({
      name: 'lb',
      image: images.nginx.alias,
      cmd: ['nginx', '-c', '/etc/nginx/hft/nginx.conf', '-g', 'daemon off;'],
      user: '101:101',
      publish: '8080/tcp',
      files: [{ path: 'etc/nginx/hft/nginx.conf', content: conf }],
      healthcheck: ['curl', '-fsS', 'http://127.0.0.1:8080/lab'],
    });
    const port = await publishedPort(proxy, '8080/tcp');
    assert.deepEqual(await get(`http://127.0.0.1:${port}/lab`), { status: 200, body: 'configured\n' });
    assert.match((await get(`http://127.0.0.1:${port}/`)).body, /Welcome to nginx/, 'proxied to the other container by its network alias');
  });

  it('node: node 20 and npm where the official image has them, user node with uid 1000', async () => {
    const versions = await runToCompletion(docker, { image: images.node.alias, cmd: ['sh', '-c', 'node --version; npm --version; id -u node; command -v node'], labels });
    assert.equal(versions.exitCode, 0, versions.stderr);
    const [node, npm, uid, nodePath] = versions.stdout.trim().split('\n');
    assert.equal(node, process.version);
    assert.match(npm ?? '', /^\d+\.\d+\.\d+$/);
    assert.equal(uid, '1000');
    assert.equal(nodePath, '/usr/local/bin/node');
    const script = await runToCompletion(docker, { image: images.node.alias, cmd: ['-e', 'console.log(1 + 1)'], labels });
    assert.equal(script.stdout.trim(), '2', 'an option as the first argument runs node with it, as the official entrypoint does');
  });

  it('backend: builds from backend/Dockerfile on the node stand-in; runs compiled code as user node', async () => {
    await buildBackendImage(docker, paths, { tag: BACKEND_ALIAS, nodeImage: images.node.alias });
    const image = await docker.getImage(BACKEND_ALIAS).inspect();
    assert.equal(image.Config.User, 'node');
    assert.deepEqual(image.Config.Cmd, ['node', 'dist/backend/gateway/main.js']);
    const probe = await runToCompletion(docker, {
      image: BACKEND_ALIAS,
      cmd: [
        'node',
        '-e',
        [
          "require('./dist/backend/config/env.js');",
          "for (const dev of ['@pulumi/pulumi', 'typescript', 'mocha']) {",
          '  try { require.resolve(dev); throw new Error(dev + " is in the runtime image"); } catch (e) { if (e.code !== "MODULE_NOT_FOUND") throw e; }',
          '}',
          "require.resolve('fastify'); require.resolve('pg'); require.resolve('ioredis');",
          "console.log(require('./dist/backend/db/migrate.js').migrationsDir());",
        ].join('\n'),
      ],
      labels,
    });
    assert.equal(probe.exitCode, 0, probe.stderr);
    assert.equal(probe.stdout.trim(), '/app/backend/db/migrations');
    const user = await runToCompletion(docker, { image: BACKEND_ALIAS, cmd: ['id', '-un'], labels });
    assert.equal(user.stdout.trim(), 'node');
  });

  it('exec: a command inside a running container reports its output and exit code', async () => {
    const [db] = await docker.listContainers({ filters: JSON.stringify({ label: [`${TEST_LABEL}=${RUN_ID}`], name: [`${network}-db`] }) });
    assert.ok(db, 'the postgres container of the first test');
    const ok = await execIn(docker, db.Id, ['psql', '-U', 'hft', '-d', 'orders', '-tAc', 'SELECT 40 + 2']);
    assert.deepEqual([ok.exitCode, ok.stdout.trim()], [0, '42']);
    const failed = await execIn(docker, db.Id, ['sh', '-c', 'echo oops >&2; exit 3']);
    assert.deepEqual([failed.exitCode, failed.stderr.trim()], [3, 'oops']);
  });
});
