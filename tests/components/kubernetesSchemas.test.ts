/**
 * Every Kubernetes object the program creates, checked against the
 * Kubernetes API schemas (kubernetes-models' validators).
 */
import * as assert from 'node:assert/strict';
import { MockedResource, revealSecrets } from '../../components/preview/mockDeployment';
import { runStack } from './harness';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: object) => Validatable;

/** kubernetes-models is ESM only; a plain import() survives the CommonJS build, TypeScript's own would become require(). */
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Record<string, ModelClass>>;

/** Pulumi type token → kubernetes-models module and class. */
const MODELS: Record<string, [string, string]> = {
  'kubernetes:core/v1:Namespace': ['kubernetes-models/v1/Namespace', 'Namespace'],
  'kubernetes:core/v1:Secret': ['kubernetes-models/v1/Secret', 'Secret'],
  'kubernetes:core/v1:ConfigMap': ['kubernetes-models/v1/ConfigMap', 'ConfigMap'],
  'kubernetes:core/v1:Service': ['kubernetes-models/v1/Service', 'Service'],
  'kubernetes:apps/v1:Deployment': ['kubernetes-models/apps/v1/Deployment', 'Deployment'],
  'kubernetes:apps/v1:StatefulSet': ['kubernetes-models/apps/v1/StatefulSet', 'StatefulSet'],
  'kubernetes:batch/v1:Job': ['kubernetes-models/batch/v1/Job', 'Job'],
  'kubernetes:policy/v1:PodDisruptionBudget': ['kubernetes-models/policy/v1/PodDisruptionBudget', 'PodDisruptionBudget'],
  'kubernetes:networking.k8s.io/v1:NetworkPolicy': ['kubernetes-models/networking.k8s.io/v1/NetworkPolicy', 'NetworkPolicy'],
};

async function model(type: string): Promise<ModelClass> {
  const entry = MODELS[type];
  assert.ok(entry, `no schema is wired up for ${type}: add it to MODELS`);
  return (await importEsm(entry[0]))[entry[1]];
}

/** The object as the provider would send it; names the provider generates are filled in as it would. */
function manifest(resource: MockedResource): object {
  const object = revealSecrets(resource.inputs) as { metadata?: { name?: string } };
  return { ...object, metadata: { name: `${resource.name}-0a1b2c3d`, ...object.metadata } };
}

async function validateAll(resources: MockedResource[]): Promise<number> {
  const objects = resources.filter((resource) => resource.type.startsWith('kubernetes:'));
  for (const resource of objects) {
    const Model = await model(resource.type);
    try {
      new Model(manifest(resource)).validate();
    } catch (error) {
      assert.fail(`${resource.type} ${resource.name} breaks the Kubernetes schema: ${(error as Error).message}\n${JSON.stringify(manifest(resource), null, 2)}`);
    }
  }
  return objects.length;
}

describe('kubernetes objects against the Kubernetes API schemas', () => {
  const configs: Record<string, string | number>[] = [
    { backendCount: 1 },
    { backendCount: 4 },
    { backendCount: 8, engineShards: 3, 'kubernetes.nginxServiceType': 'NodePort', 'kubernetes.storageClass': 'standard' },
  ];
  for (const values of configs) {
    it(`validates every object of ${JSON.stringify(values)}`, async () => {
      const run = await runStack({ target: 'kubernetes', ...values });
      const count = await validateAll(run.resources);
      // Namespace, 2 Secrets, 4 Services, 2 StatefulSets, a Job, engine, gateway and nginx Deployments, PDB, 3 NetworkPolicies, ConfigMap.
      assert.ok(count >= 18, `only ${count} objects`);
    });
  }

  it('the validators do refuse a broken object', async () => {
    const Deployment = await model('kubernetes:apps/v1:Deployment');
    const broken = { metadata: { name: 'x' }, spec: { replicas: 'eight', selector: { matchLabels: { a: 'b' } }, template: { spec: { containers: [{ name: 'c' }] } } } };
    assert.throws(() => new Deployment(broken).validate(), /replicas/);
  });
});
