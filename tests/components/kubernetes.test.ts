import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { blankSecrets, isSecret, mockPassword, MockedResource, revealSecrets } from '../../components/preview/mockDeployment';
import { DEFAULT_SYMBOLS } from '../../backend/config/symbols';
import { named, ofType, runStack, StackRun } from './harness';

const DEPLOYMENT = 'kubernetes:apps/v1:Deployment';
const STATEFUL_SET = 'kubernetes:apps/v1:StatefulSet';
const JOB = 'kubernetes:batch/v1:Job';
const SERVICE = 'kubernetes:core/v1:Service';
const SECRET = 'kubernetes:core/v1:Secret';
const CONFIG_MAP = 'kubernetes:core/v1:ConfigMap';
const NETWORK_POLICY = 'kubernetes:networking.k8s.io/v1:NetworkPolicy';
const PDB = 'kubernetes:policy/v1:PodDisruptionBudget';
const POSTGRES_PASSWORD = mockPassword('data-postgres-password');
const REDIS_PASSWORD = mockPassword('data-redis-password');

function object(resource: MockedResource): Record<string, any> {
  return revealSecrets(resource.inputs) as Record<string, any>;
}

function podSpec(resource: MockedResource): Record<string, any> {
  return object(resource).spec.template.spec;
}

/** A container's environment with secret references looked up in the Secrets they name. */
function envOf(run: StackRun, resource: MockedResource): Record<string, string> {
  const secrets = new Map(ofType(run, SECRET).map((s) => [`${s.name}-0a1b2c3d`, object(s).stringData as Record<string, string>]));
  return Object.fromEntries(
    (podSpec(resource).containers[0].env as any[]).map((variable) => {
      if (variable.value !== undefined) return [variable.name, variable.value];
      if (variable.valueFrom.fieldRef) return [variable.name, `<${variable.valueFrom.fieldRef.fieldPath}>`];
      const ref = variable.valueFrom.secretKeyRef;
      const secret = secrets.get(ref.name);
      assert.ok(secret, `${resource.name}: ${variable.name} refers to a Secret ${ref.name} that the stack does not create`);
      return [variable.name, secret[ref.key]];
    }),
  );
}

function nginxConfig(run: StackRun): string {
  return object(named(run, CONFIG_MAP, 'balancer-nginx-config')).data['nginx.conf'];
}

describe('kubernetes target (pulumi mocks)', () => {
  for (const backendCount of [1, 4, 8]) {
    describe(`backendCount ${backendCount}`, () => {
      let run: StackRun;
      before(async () => {
        run = await runStack({ target: 'kubernetes', backendCount });
      });

      it('runs the gateways as one Deployment of backendCount replicas behind a headless Service', () => {
        const gateways = object(named(run, DEPLOYMENT, 'gateways-backend'));
        assert.equal(gateways.spec.replicas, backendCount);
        assert.equal(podSpec(named(run, DEPLOYMENT, 'gateways-backend')).containers[0].args.join(' '), 'node dist/backend/gateway/main.js');
        const service = object(named(run, SERVICE, 'gateways-backend'));
        assert.equal(service.spec.clusterIP, 'None');
        assert.deepEqual(service.spec.selector, gateways.spec.selector.matchLabels);
        assert.deepEqual(object(named(run, PDB, 'gateways-backend')).spec.maxUnavailable, 1);
      });

      it('renders one re-resolved upstream server (the headless Service) with a resolver', () => {
        const lines = nginxConfig(run).split('\n').map((l) => l.trim());
        assert.deepEqual(lines.filter((l) => l.startsWith('server ') && l.endsWith(';')), ['server backend.hft.svc.cluster.local:8000 resolve max_fails=3 fail_timeout=10s;']);
        assert.ok(lines.includes('resolver kube-dns.kube-system.svc.cluster.local valid=5s;'));
        assert.ok(lines.includes('zone order_gateways 64k;'));
      });

      it('points every service at the data tier through the connection Secret', () => {
        for (const name of ['gateways-backend', 'matching-engine-0']) {
          const env = envOf(run, named(run, DEPLOYMENT, name));
          assert.equal(env.DATABASE_URL, `postgres://hft:${POSTGRES_PASSWORD}@postgres.hft.svc.cluster.local:5432/hft`, name);
          assert.equal(env.REDIS_URL, `redis://default:${REDIS_PASSWORD}@redis.hft.svc.cluster.local:6379`, name);
        }
        assert.equal(envOf(run, named(run, JOB, 'data-migrate')).DATABASE_URL, `postgres://hft:${POSTGRES_PASSWORD}@postgres.hft.svc.cluster.local:5432/hft`);
        assert.equal(envOf(run, named(run, DEPLOYMENT, 'gateways-backend')).GATEWAY_ID, '<metadata.name>');
        assert.deepEqual(
          ['data-postgres', 'data-redis'].map((name) => [object(named(run, SERVICE, name)).metadata.name, object(named(run, SERVICE, name)).metadata.namespace]),
          [['postgres', 'hft'], ['redis', 'hft']],
        );
      });

      it('probes every workload: gateways ready on /ready and alive on /health', () => {
        for (const workload of [...ofType(run, DEPLOYMENT), ...ofType(run, STATEFUL_SET)]) {
          assert.ok(podSpec(workload).containers[0].livenessProbe, `${workload.name} has no liveness probe`);
        }
        const gateway = podSpec(named(run, DEPLOYMENT, 'gateways-backend')).containers[0];
        assert.deepEqual(gateway.readinessProbe.httpGet, { path: '/ready', port: 8000 });
        assert.deepEqual(gateway.livenessProbe.httpGet, { path: '/health', port: 8000 });
        assert.deepEqual(gateway.resources, { requests: { cpu: '1', memory: '512Mi' }, limits: { memory: '512Mi' } });
      });

      it('keeps passwords secret: only Secrets hold them, as secret inputs', () => {
        for (const resource of run.resources) {
          const shown = JSON.stringify(blankSecrets(resource.inputs));
          assert.ok(!shown.includes(POSTGRES_PASSWORD) && !shown.includes(REDIS_PASSWORD), `${resource.type} ${resource.name} shows a password: ${shown}`);
        }
        for (const secret of ofType(run, SECRET)) assert.ok(isSecret(secret.inputs.stringData), secret.name);
        for (const workload of [...ofType(run, DEPLOYMENT), ...ofType(run, STATEFUL_SET), ...ofType(run, JOB)]) {
          assert.ok(!JSON.stringify(object(workload)).includes(POSTGRES_PASSWORD), `${workload.name} carries a password instead of a reference`);
        }
      });

      it('exports the outputs the load tester reads', () => {
        assert.equal(run.outputs.loadBalancerUrl, 'http://203.0.113.10:8080');
        assert.equal(run.outputs.backendCount, backendCount);
        assert.deepEqual(run.outputs.backends, [{ name: 'backend', url: 'http://backend.hft.svc.cluster.local:8000', replicas: backendCount }]);
        assert.equal(run.outputs.engineShards, 1);
        assert.equal(run.outputs.symbols, DEFAULT_SYMBOLS);
        assert.equal(run.outputs.target, 'kubernetes');
      });
    });
  }

  describe('the rest of the graph (backendCount 3, engineShards 2)', () => {
    let run: StackRun;
    before(async () => {
      run = await runStack({
        target: 'kubernetes', backendCount: 3, engineShards: 2, 'kubernetes.namespace': 'trading', 'kubernetes.storageClass': 'fast-ssd', 'resources.redisMemory': '1Gi',
      });
    });

    it('puts every namespaced object in the stack namespace', () => {
      assert.equal(object(named(run, 'kubernetes:core/v1:Namespace', 'namespace')).metadata.name, 'trading');
      for (const resource of run.resources.filter((r) => r.type.startsWith('kubernetes:') && !r.type.endsWith(':Namespace'))) {
        assert.equal(object(resource).metadata.namespace, 'trading', `${resource.type} ${resource.name}`);
      }
    });

    it('runs each engine shard as a single-writer Deployment: one replica, Recreate', () => {
      const shards = ofType(run, DEPLOYMENT).filter((d) => d.parent === 'matching');
      assert.deepEqual(shards.map((d) => object(d).metadata.name), ['engine-0', 'engine-1']);
      for (const [shard, deployment] of shards.entries()) {
        assert.deepEqual([object(deployment).spec.replicas, object(deployment).spec.strategy], [1, { type: 'Recreate' }]);
        assert.equal(envOf(run, deployment).SHARD, String(shard));
        assert.equal(envOf(run, deployment).ENGINE_SHARDS, '2');
      }
    });

    it('runs PostgreSQL and Redis as StatefulSets with volume claims; Redis with AOF, requirepass, and half its memory for data, claims evicted first', () => {
      const postgres = object(named(run, STATEFUL_SET, 'data-postgres'));
      assert.deepEqual(postgres.spec.volumeClaimTemplates[0].spec, { accessModes: ['ReadWriteOnce'], storageClassName: 'fast-ssd', resources: { requests: { storage: '10Gi' } } });
      assert.equal(postgres.spec.serviceName, 'postgres');
      const redis = object(named(run, STATEFUL_SET, 'data-redis'));
      const redisContainer = redis.spec.template.spec.containers[0];
      assert.match(redisContainer.args.join(' '), /--appendonly yes .*--maxmemory 536870912 --maxmemory-policy volatile-ttl --requirepass "\$REDIS_PASSWORD"/);
      assert.equal(redisContainer.resources.limits.memory, '1Gi');
      assert.equal(redis.spec.volumeClaimTemplates[0].spec.resources.requests.storage, '2Gi');
    });

    it('runs the migration as a Job that gateways and engines wait for', () => {
      const job = object(named(run, JOB, 'data-migrate'));
      assert.equal(job.spec.template.spec.containers[0].args.join(' '), 'node dist/backend/db/main.js');
      for (const deployment of ofType(run, DEPLOYMENT).filter((d) => d.parent !== 'balancer')) {
        assert.equal(object(deployment).metadata.annotations['hft-stack/after'], 'data-migrate-0a1b2c3d', deployment.name);
      }
    });

    it('lets only nginx reach the gateways, and only gateways and engines (and the migration) reach the stores', () => {
      const allowed = (name: string) => {
        const policy = object(named(run, NETWORK_POLICY, name));
        return [policy.spec.podSelector.matchLabels['app.kubernetes.io/name'], policy.spec.ingress[0].from[0].podSelector.matchExpressions[0].values];
      };
      assert.deepEqual(allowed('gateways-backend'), ['backend', ['nginx']]);
      assert.deepEqual(allowed('data-redis'), ['redis', ['gateway', 'engine']]);
      assert.deepEqual(allowed('data-postgres'), ['postgres', ['gateway', 'engine', 'migrate']]);
    });

    it('runs every pod as non-root without privilege escalation', () => {
      for (const workload of [...ofType(run, DEPLOYMENT), ...ofType(run, STATEFUL_SET), ...ofType(run, JOB)]) {
        const pod = podSpec(workload);
        assert.equal(pod.securityContext.runAsNonRoot, true, workload.name);
        assert.ok(pod.securityContext.runAsUser > 0, workload.name);
        assert.equal(pod.containers[0].securityContext.allowPrivilegeEscalation, false, workload.name);
      }
    });

    it('mounts the rendered nginx.conf from a ConfigMap and rolls nginx when it changes', async () => {
      const nginx = object(named(run, DEPLOYMENT, 'balancer-nginx'));
      const checksum = nginx.spec.template.metadata.annotations['checksum/config'];
      assert.equal(checksum, createHash('sha256').update(nginxConfig(run)).digest('hex'));
      assert.deepEqual(nginx.spec.template.spec.containers[0].volumeMounts, [{ name: 'config', mountPath: '/etc/nginx/hft/nginx.conf', subPath: 'nginx.conf', readOnly: true }]);
      const retuned = await runStack({ target: 'kubernetes', backendCount: 3, 'nginx.keepalive': 64 });
      assert.notEqual(object(named(retuned, DEPLOYMENT, 'balancer-nginx')).spec.template.metadata.annotations['checksum/config'], checksum);
    });

    it('publishes nginx with a Service of the configured type', async () => {
      assert.equal(object(named(run, SERVICE, 'balancer-nginx')).spec.type, 'LoadBalancer');
      const nodePort = await runStack({ target: 'kubernetes', backendCount: 1, 'kubernetes.nginxServiceType': 'NodePort' });
      assert.equal(object(named(nodePort, SERVICE, 'balancer-nginx')).spec.type, 'NodePort');
      assert.equal(nodePort.outputs.loadBalancerUrl, 'http://localhost:30080');
      const clusterIp = await runStack({ target: 'kubernetes', backendCount: 1, 'kubernetes.nginxServiceType': 'ClusterIP' });
      assert.equal(clusterIp.outputs.loadBalancerUrl, 'http://nginx.hft.svc.cluster.local:8080');
    });
  });
});
