import * as assert from 'node:assert/strict';
import { blankSecrets, isSecret, mockPassword, MockedResource, revealSecrets } from '../../components/preview/mockDeployment';
import { DEFAULT_SYMBOLS } from '../../backend/config/symbols';
import { named, ofType, runStack, StackRun } from './harness';

const CONTAINER = 'docker:index/container:Container';
const POSTGRES_PASSWORD = mockPassword('data-postgres-password');
const REDIS_PASSWORD = mockPassword('data-redis-password');
const DATABASE_URL = `postgres://hft:${POSTGRES_PASSWORD}@postgres:5432/hft`;
const REDIS_URL = `redis://default:${REDIS_PASSWORD}@redis:6379`;

function inputs(resource: MockedResource): Record<string, any> {
  return revealSecrets(resource.inputs) as Record<string, any>;
}

function envOf(container: MockedResource): Record<string, string> {
  const envs = inputs(container).envs as string[];
  return Object.fromEntries(envs.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

function alias(container: MockedResource): string {
  return inputs(container).networksAdvanced[0].aliases[0];
}

function nginxConfig(run: StackRun): string {
  return inputs(named(run, CONTAINER, 'balancer-nginx')).uploads[0].content;
}


describe('docker target (pulumi mocks)', () => {
  for (const backendCount of [1, 4, 8]) {
    describe(`backendCount ${backendCount}`, () => {
      let run: StackRun;
      before(async () => {
        run = await runStack({ target: 'docker', backendCount });
      });

      it('runs gateways backend-1..N, each with its own GATEWAY_ID and WORKERS', () => {
        const gateways = ofType(run, CONTAINER).filter((c) => c.parent === 'gateways');
        const expected = Array.from({ length: backendCount }, (_, i) => `backend-${i + 1}`);
        assert.deepEqual(gateways.map(alias), expected);
        assert.deepEqual(gateways.map((c) => inputs(c).name), expected.map((name) => `hft-${name}`));
        assert.deepEqual(gateways.map((c) => envOf(c).GATEWAY_ID), expected);
        assert.ok(gateways.every((c) => envOf(c).WORKERS === '2' && envOf(c).PORT === '8000'));
        assert.ok(gateways.every((c) => inputs(c).command.join(' ') === 'node dist/backend/gateway/main.js'));
      });

      it('lists one upstream server per gateway in the nginx config it uploads', () => {
        const servers = nginxConfig(run).split('\n').map((l) => l.trim()).filter((l) => l.startsWith('server ') && l.endsWith(';'));
        assert.deepEqual(servers, Array.from({ length: backendCount }, (_, i) => `server backend-${i + 1}:8000 max_fails=3 fail_timeout=10s;`));
        assert.ok(!/\bresolve\b/.test(nginxConfig(run)));
      });

      it('points every service at the data tier: DATABASE_URL and REDIS_URL name the postgres and redis containers', () => {
        assert.equal(alias(named(run, CONTAINER, 'data-postgres')), 'postgres');
        assert.equal(alias(named(run, CONTAINER, 'data-redis')), 'redis');
        const users = ofType(run, CONTAINER).filter((c) => ['gateways', 'matching'].includes(c.parent ?? ''));
        assert.equal(users.length, backendCount + 1);
        for (const container of users) {
          assert.equal(envOf(container).DATABASE_URL, DATABASE_URL, container.name);
          assert.equal(envOf(container).REDIS_URL, REDIS_URL, container.name);
        }
        assert.equal(envOf(named(run, CONTAINER, 'data-migrate')).DATABASE_URL, DATABASE_URL);
      });

      it('health-checks every long-running container and restarts it; the migration runs once', () => {
        for (const container of ofType(run, CONTAINER).filter((c) => c.name !== 'data-migrate')) {
          const args = inputs(container);
          assert.equal(args.healthcheck.tests[0], 'CMD', container.name);
          assert.ok(args.healthcheck.tests.length > 1, container.name);
          assert.equal(args.restart, 'unless-stopped', container.name);
          assert.equal(args.wait, true, container.name);
        }
        const migrate = inputs(named(run, CONTAINER, 'data-migrate'));
        assert.deepEqual([migrate.restart, migrate.attach, migrate.mustRun, migrate.healthcheck.tests], ['no', true, false, ['NONE']]);
        assert.deepEqual(migrate.command, ['node', 'dist/backend/db/main.js']);
        assert.ok(inputs(named(run, CONTAINER, 'gateways-backend-1')).healthcheck.tests.join(' ').includes('/ready'));
      });

      it('keeps passwords secret in every input', () => {
        for (const resource of run.resources) {
          const shown = JSON.stringify(blankSecrets(resource.inputs));
          assert.ok(!shown.includes(POSTGRES_PASSWORD) && !shown.includes(REDIS_PASSWORD), `${resource.type} ${resource.name} shows a password: ${shown}`);
        }
        for (const container of ofType(run, CONTAINER).filter((c) => c.parent !== 'balancer')) {
          assert.ok(isSecret(container.inputs.envs), `${container.name}: envs hold a password and must be secret`);
        }
      });

      it('exports the outputs the load tester reads', () => {
        assert.equal(run.outputs.loadBalancerUrl, 'http://localhost:8080');
        assert.equal(run.outputs.backendCount, backendCount);
        assert.deepEqual(run.outputs.backends.map((b) => b.name), Array.from({ length: backendCount }, (_, i) => `backend-${i + 1}`));
        assert.equal(run.outputs.backends[0].url, 'http://backend-1:8000');
        assert.equal(run.outputs.engineShards, 1);
        assert.equal(run.outputs.symbols, DEFAULT_SYMBOLS);
        assert.equal(run.outputs.target, 'docker');
      });
    });
  }

  describe('the rest of the graph (backendCount 2, engineShards 2, symbols of its own)', () => {
    let run: StackRun;
    before(async () => {
      run = await runStack({ target: 'docker', backendCount: 2, engineShards: 2, loadBalancerPort: 9090, symbols: 'AAPL,ZZZ:0.05' });
    });

    it('gives its symbols to every engine shard and gateway, and to the load tester as an output', () => {
      const services = ofType(run, CONTAINER).filter((c) => /^(gateways|matching-engine)-/.test(c.name));
      assert.equal(services.length, 4);
      for (const container of services) assert.equal(envOf(container).SYMBOLS, 'AAPL,ZZZ:0.05', container.name);
      assert.equal(run.outputs.symbols, 'AAPL,ZZZ:0.05');
    });

    it('builds the backend image from backend/Dockerfile with the repository root as context, without a registry', () => {
      const image = inputs(named(run, 'docker:index/image:Image', 'backend-image'));
      assert.deepEqual(image.build, { context: '.', dockerfile: 'backend/Dockerfile', args: { NODE_IMAGE: 'node:20-bookworm-slim' } });
      assert.deepEqual([image.imageName, image.skipPush], ['hft-stack/backend:dev', true]);
      const running = ofType(run, CONTAINER).filter((c) => inputs(c).image === 'hft-stack/backend:dev').map((c) => c.name);
      assert.deepEqual(running.sort(), ['data-migrate', 'gateways-backend-1', 'gateways-backend-2', 'matching-engine-0', 'matching-engine-1']);
    });

    it('pulls the official images for PostgreSQL, Redis and nginx', () => {
      assert.deepEqual(ofType(run, 'docker:index/remoteImage:RemoteImage').map((r) => inputs(r).name).sort(), ['nginx:1.28', 'postgres:15', 'redis:7']);
    });

    it('runs one engine container per shard with its SHARD', () => {
      const engines = ofType(run, CONTAINER).filter((c) => c.parent === 'matching');
      assert.deepEqual(engines.map(alias), ['engine-0', 'engine-1']);
      assert.deepEqual(engines.map((c) => [envOf(c).SHARD, envOf(c).ENGINE_SHARDS, envOf(c).METRICS_PORT]), [['0', '2', '9001'], ['1', '2', '9001']]);
    });

    it('starts gateways and engines only after the migration succeeded', () => {
      for (const container of ofType(run, CONTAINER).filter((c) => ['gateways', 'matching'].includes(c.parent ?? ''))) {
        assert.deepEqual(inputs(container).labels.find((l: { label: string }) => l.label === 'hft-stack.after'), { label: 'hft-stack.after', value: 'hft-migrate' }, container.name);
      }
    });

    it('keeps PostgreSQL and Redis on named volumes; Redis with AOF, a password and a data bound', () => {
      assert.deepEqual(inputs(named(run, CONTAINER, 'data-postgres')).volumes, [{ volumeName: 'hft-postgres-data', containerPath: '/var/lib/postgresql/data' }]);
      assert.deepEqual(inputs(named(run, CONTAINER, 'data-redis')).volumes, [{ volumeName: 'hft-redis-data', containerPath: '/data' }]);
      const redis = inputs(named(run, CONTAINER, 'data-redis'));
      // Half of resources.redisMemory (default 512Mi) for data; past it the oldest idempotency claims are evicted.
      assert.match(redis.command.join(' '), /--appendonly yes .*--maxmemory 268435456 --maxmemory-policy volatile-ttl --requirepass "\$REDIS_PASSWORD"/);
      assert.equal(envOf(named(run, CONTAINER, 'data-redis')).REDIS_PASSWORD, REDIS_PASSWORD);
      assert.equal(envOf(named(run, CONTAINER, 'data-postgres')).POSTGRES_PASSWORD, POSTGRES_PASSWORD);
    });

    it('publishes nginx on loadBalancerPort with its rendered config, replacing it delete-first', () => {
      const nginx = named(run, CONTAINER, 'balancer-nginx');
      assert.deepEqual(inputs(nginx).ports, [{ internal: 8080, external: 9090 }]);
      assert.equal(inputs(nginx).uploads[0].file, '/etc/nginx/hft/nginx.conf');
      assert.deepEqual(inputs(nginx).command, ['nginx', '-c', '/etc/nginx/hft/nginx.conf', '-g', 'daemon off;']);
      assert.ok(nginx.deleteBeforeReplace);
      assert.equal(run.outputs.loadBalancerUrl, 'http://localhost:9090');
      assert.ok(ofType(run, CONTAINER).filter((c) => inputs(c).ports !== undefined).every((c) => c.deleteBeforeReplace));
    });

    it('runs every container as a non-root user on the stack network', () => {
      for (const container of ofType(run, CONTAINER)) {
        assert.match(inputs(container).user, /^[1-9]\d*:[1-9]\d*$/, container.name);
        assert.equal(inputs(container).networksAdvanced[0].name, 'hft-network', container.name);
      }
    });
  });
});
