import * as pulumi from '@pulumi/pulumi';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { CONFIG_KEYS, quantityBytes, readStackConfig, StackConfigError } from '../../components/config';
import { readProjectFile, stackConfigSource } from '../../components/preview/stackFiles';
import { DEFAULT_NGINX_TUNING } from '../../nginx';
import { configSource, runStack } from './harness';

const REPO = path.resolve(__dirname, '..', '..', '..');

function problems(values: Record<string, string | number | boolean>): string[] {
  try {
    readStackConfig(configSource(values));
  } catch (error) {
    assert.ok(error instanceof StackConfigError, String(error));
    return error.problems;
  }
  assert.fail(`accepted ${JSON.stringify(values)}`);
}

describe('memory quantities', () => {
  it('read as bytes with binary and decimal suffixes, and refuse anything else', () => {
    assert.deepEqual(['512Mi', '1Gi', '1.5Gi', '64Ki', '500M', '2G', '1k', '1024'].map(quantityBytes), [
      536_870_912, 1_073_741_824, 1_610_612_736, 65_536, 500_000_000, 2_000_000_000, 1000, 1024,
    ]);
    for (const bad of ['', 'Mi', '512mi', '-1Gi', '1 Gi']) assert.throws(() => quantityBytes(bad), /not a quantity/, bad);
  });
});

describe('stack config', () => {
  it('runs on target and backendCount alone: every other key has its default', () => {
    const config = readStackConfig(configSource({ target: 'docker', backendCount: 4 }));
    assert.equal(config.target, 'docker');
    assert.equal(config.backendCount, 4);
    assert.equal(config.workersPerBackend, 2);
    assert.equal(config.engineShards, 1);
    assert.equal(config.loadBalancerPort, 8080);
    assert.deepEqual(config.nginx, DEFAULT_NGINX_TUNING);
    assert.deepEqual(config.images, {
      backend: 'hft-stack/backend:dev',
      node: 'node:20-bookworm-slim',
      postgres: 'postgres:15',
      redis: 'redis:7',
      nginx: 'nginx:1.28',
    });
    assert.equal(config.kubernetes.namespace, 'hft');
    assert.equal(config.kubernetes.nginxServiceType, 'LoadBalancer');
    assert.deepEqual(config.storage, { postgresSize: '10Gi', redisSize: '2Gi' });
  });

  it('accepts any nginx on docker, and 1.27.3 or later (or a named tag) on kubernetes', () => {
    for (const [target, image] of [['docker', 'nginx:1.22'], ['kubernetes', 'nginx:1.27.3'], ['kubernetes', 'nginx:1.28-alpine'], ['kubernetes', 'nginx:mainline']]) {
      assert.equal(readStackConfig(configSource({ target, 'images.nginx': image })).images.nginx, image);
    }
  });

  it('reads typed values from the text Pulumi stores', () => {
    const config = readStackConfig(
      configSource({ target: 'kubernetes', backendCount: '8', 'nginx.keepalive': '64', 'nginx.accessLog': 'true', 'nginx.workerProcesses': '4' }),
    );
    assert.deepEqual([config.backendCount, config.nginx.keepalive, config.nginx.accessLog, config.nginx.workerProcesses], [8, 64, true, 4]);
  });

  it('reads what the Pulumi CLI hands the program (hft-stack:KEY, dotted keys included)', () => {
    pulumi.runtime.setAllConfig({
      'hft-stack:target': 'kubernetes',
      'hft-stack:backendCount': '6',
      'hft-stack:nginx.keepalive': '16',
      'hft-stack:kubernetes.namespace': 'orders',
    });
    const config = readStackConfig(new pulumi.Config('hft-stack'));
    assert.deepEqual([config.target, config.backendCount, config.nginx.keepalive, config.kubernetes.namespace], ['kubernetes', 6, 16, 'orders']);
  });

  describe('refuses, naming the key and what it accepts', () => {
    const cases: [string, Record<string, string | number>, string][] = [
      ['no target', { backendCount: 4 }, 'target is not set: pulumi config set target docker|kubernetes'],
      ['an unknown target', { target: 'aws' }, 'target must be docker or kubernetes (got "aws")'],
      ['backendCount 0', { target: 'docker', backendCount: 0 }, 'backendCount must be an integer from 1 to 64 (got "0")'],
      ['backendCount 65', { target: 'docker', backendCount: 65 }, 'backendCount must be an integer from 1 to 64 (got "65")'],
      ['a fractional backendCount', { target: 'docker', backendCount: 2.5 }, 'backendCount must be an integer from 1 to 64 (got "2.5")'],
      ['a backendCount in words', { target: 'docker', backendCount: 'four' }, 'backendCount must be an integer from 1 to 64 (got "four")'],
      ['workersPerBackend 0', { target: 'docker', workersPerBackend: 0 }, 'workersPerBackend must be an integer from 1 to 256 (got "0")'],
      ['engineShards 0', { target: 'docker', engineShards: 0 }, 'engineShards must be an integer from 1 to 1024 (got "0")'],
      ['an unknown algorithm', { target: 'docker', 'nginx.algorithm': 'ip_hash' }, 'nginx.algorithm must be one of least_conn, round_robin, random_two_least_conn (got "ip_hash")'],
      ['keepalive 0', { target: 'docker', 'nginx.keepalive': 0 }, 'nginx.keepalive must be an integer from 1 to 10000 (got 0)'],
      ['a bad buffer size', { target: 'docker', 'nginx.bufferSize': '4 KB' }, 'nginx.bufferSize must look like 4k, 64k or 1m (got "4 KB")'],
      ['a non-boolean accessLog', { target: 'docker', 'nginx.accessLog': 'yes' }, 'nginx.accessLog must be true or false (got "yes")'],
      ['an unknown service type', { target: 'kubernetes', 'kubernetes.nginxServiceType': 'Ingress' }, 'kubernetes.nginxServiceType must be LoadBalancer, NodePort or ClusterIP (got "Ingress")'],
      ['a namespace that is no DNS label', { target: 'kubernetes', 'kubernetes.namespace': 'HFT_prod' }, 'kubernetes.namespace must be a DNS label (a-z, 0-9, "-") (got "HFT_prod")'],
      ['a bad volume size', { target: 'kubernetes', 'storage.postgresSize': 'ten' }, 'storage.postgresSize must be a quantity such as 10Gi (got "ten")'],
      ['a bad cpu request', { target: 'kubernetes', 'resources.gatewayCpu': 'fast' }, 'resources.gatewayCpu must be a CPU quantity such as 500m or 1 (got "fast")'],
      ['a bad log level', { target: 'docker', logLevel: 'loud' }, 'logLevel must be fatal, error, warn, info, debug, trace or silent (got "loud")'],
      ['a bad symbol list', { target: 'docker', symbols: 'aapl' }, 'symbols is not a SYMBOLS list'],
      ['an nginx too old to re-resolve on kubernetes', { target: 'kubernetes', 'images.nginx': 'nginx:1.27.2-alpine' }, 'images.nginx "nginx:1.27.2-alpine" is older than nginx 1.27.3, which target kubernetes needs'],
    ];
    for (const [what, values, message] of cases) {
      it(what, () => {
        const found = problems(values);
        assert.ok(found.some((problem) => problem.startsWith(message)), `expected "${message}" in ${JSON.stringify(found)}`);
      });
    }

    it('lists every problem at once', () => {
      assert.equal(problems({ target: 'aws', backendCount: 0, workersPerBackend: 0, engineShards: 0 }).length, 4);
    });

    it('before any resource exists', async () => {
      await assert.rejects(runStack({ target: 'docker', backendCount: 100 }), (error: Error) =>
        error instanceof StackConfigError && error.message.includes('backendCount must be an integer from 1 to 64 (got "100")'),
      );
    });
  });

  describe('Pulumi.yaml and the stack files', () => {
    const project = readProjectFile(REPO);

    it('declares project hft-stack on nodejs with TypeScript', () => {
      assert.equal(project.name, 'hft-stack');
      assert.deepEqual(project.runtime, { name: 'nodejs', options: { typescript: true } });
    });

    it('declares every key the program reads, with the same type, default and description', () => {
      assert.deepEqual(Object.keys(project.config).sort(), Object.keys(CONFIG_KEYS).sort());
      for (const [key, declared] of Object.entries(CONFIG_KEYS)) {
        assert.deepEqual(project.config[key], { type: declared.type, description: declared.description, ...('default' in declared ? { default: declared.default } : {}) }, key);
      }
    });

    it('dev: docker with 4 backends', () => {
      const config = readStackConfig(stackConfigSource(REPO, 'dev'));
      assert.deepEqual([config.target, config.backendCount], ['docker', 4]);
    });

    it('prod: kubernetes with 8 backends, its namespace and volume sizes', () => {
      const config = readStackConfig(stackConfigSource(REPO, 'prod'));
      assert.deepEqual([config.target, config.backendCount, config.kubernetes.namespace], ['kubernetes', 8, 'hft-prod']);
      assert.deepEqual(config.storage, { postgresSize: '50Gi', redisSize: '5Gi' });
    });
  });
});
