/**
 * The shape STYLE.md asks of the components, on both targets, and the
 * offline preview's reading of the stack files.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readStackConfig } from '../../components/config';
import { gatewaySpec, OrderBackendPoolArgs } from '../../components/orderBackendPool';
import { resourceTree } from '../../components/preview/offlinePreview';
import { deployUnderMocks } from '../../components/preview/mockDeployment';
import { stackConfigSource } from '../../components/preview/stackFiles';
import { revealSecrets } from '../../components/preview/mockDeployment';
import { PROJECT_ROOT } from '../../local/paths';
import { ENTRY_POINTS } from '../../local/services';
import { runStack, StackRun } from './harness';

const REPO = path.resolve(__dirname, '..', '..', '..');
const COMPONENTS = ['hft:index:SharedDataTier', 'hft:index:MatchingEngine', 'hft:index:OrderBackendPool', 'hft:index:NginxBalancer'];

describe('component graph', () => {
  for (const target of ['docker', 'kubernetes']) {
    describe(target, () => {
      let run: StackRun;
      before(async () => {
        run = await runStack({ target, backendCount: 2 });
      });

      it('builds the four components, top level', () => {
        const components = run.resources.filter((r) => r.type.startsWith('hft:'));
        assert.deepEqual(components.map((r) => r.type).sort(), [...COMPONENTS].sort());
        assert.ok(components.every((r) => r.parent === undefined));
      });

      it('names every child ${component}-…, so nothing is created outside a component but the platform itself', () => {
        const topLevel = run.resources.filter((r) => r.parent === undefined && !r.type.startsWith('hft:')).map((r) => r.name);
        assert.deepEqual(topLevel.sort(), target === 'docker' ? ['backend-image', 'network'] : ['namespace']);
        for (const child of run.resources.filter((r) => r.parent !== undefined)) {
          assert.ok(COMPONENTS.includes(child.parentType ?? ''), `${child.name} is parented by ${child.parentType}`);
          assert.ok(child.name.startsWith(`${child.parent}-`), `${child.type} ${child.name} is not named after its component ${child.parent}`);
        }
      });
    });
  }

  it('starts the services from the entry points the local stack runs', async () => {
    const run = await runStack({ target: 'docker', backendCount: 1 });
    const entries = run.resources
      .filter((r) => r.type === 'docker:index/container:Container')
      .map((r) => (revealSecrets(r.inputs) as { command: string[] }).command)
      .filter((command) => command[0] === 'node')
      .map((command) => command[1]);
    const local = Object.values(ENTRY_POINTS).map((file) => path.relative(PROJECT_ROOT, file));
    assert.deepEqual(entries.sort(), local.sort());
    for (const entry of entries) assert.ok(fs.existsSync(path.join(REPO, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts'))), entry);
  });

  it('components refuse counts that cannot exist, naming them', () => {
    const args = { backendCount: 0, workersPerBackend: 2, engineShards: 1 } as OrderBackendPoolArgs;
    assert.throws(() => gatewaySpec(args), /backendCount must be an integer from 1 to 64 \(got 0\)/);
    assert.throws(() => gatewaySpec({ ...args, backendCount: 2, workersPerBackend: 0 }), /workersPerBackend must be an integer from 1 to 256 \(got 0\)/);
  });
});

describe('offline preview', () => {
  it('runs the dev stack file and prints the tree indented by parent', async () => {
    const deployment = await deployUnderMocks(readStackConfig(stackConfigSource(REPO, 'dev')));
    const tree = resourceTree(deployment.resources);
    assert.equal(tree.length, deployment.resources.length);
    const pool = tree.findIndex((line) => /^hft:index:OrderBackendPool\s+gateways$/.test(line));
    assert.ok(pool >= 0, tree.join('\n'));
    assert.deepEqual(
      tree.slice(pool + 1, pool + 5).map((line) => line.replace(/\s+/g, ' ')),
      [1, 2, 3, 4].map((i) => ` docker:index/container:Container gateways-backend-${i}`),
    );
    assert.equal(deployment.outputs.target, 'docker');
  });

  it('runs the prod stack file on kubernetes', async () => {
    const deployment = await deployUnderMocks(readStackConfig(stackConfigSource(REPO, 'prod')));
    assert.deepEqual([deployment.outputs.target, deployment.outputs.backendCount], ['kubernetes', 8]);
    assert.ok(resourceTree(deployment.resources).some((line) => /^ {2}kubernetes:apps\/v1:Deployment\s+gateways-backend$/.test(line)));
  });
});
