/**
 * The lab applier without an engine: every resource the lab stack declares
 * maps onto the Engine API field by field (so a program change the lab cannot
 * apply fails here, in `npm test`), and a field it does not implement is an
 * error that names it.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import Docker from 'dockerode';
import { deployUnderMocks, MockedResource, mockPassword, revealSecrets } from '../../components/preview/mockDeployment';
import { planContainer } from '../../lab/applier/containerPlan';
import { UnsupportedFieldError } from '../../lab/applier/fields';
import { goDurationNs } from '../../lab/applier/goDuration';
import { planImageBuild, planRemoteImage } from '../../lab/applier/imagePlan';
import { LAB_STACK_LABELS, readLabStackConfig } from '../../lab/applier/labStack';
import { planNetwork, planVolume } from '../../lab/applier/networkVolumePlan';
import { generatePassword } from '../../lab/applier/randomPassword';

const REPO = path.resolve(__dirname, '..', '..', '..');

type Plan = ReturnType<typeof planContainer> | ReturnType<typeof planImageBuild> | Docker.NetworkCreateOptions | Docker.VolumeCreateOptions | string;

function plan(resource: MockedResource): Plan {
  const inputs = revealSecrets(resource.inputs) as Record<string, unknown>;
  switch (resource.type) {
    case 'docker:index/container:Container':
      return planContainer(resource.name, inputs, LAB_STACK_LABELS);
    case 'docker:index/image:Image':
      return planImageBuild(resource.name, inputs, REPO);
    case 'docker:index/remoteImage:RemoteImage':
      return planRemoteImage(resource.name, inputs);
    case 'docker:index/network:Network':
      return planNetwork(resource.name, inputs, LAB_STACK_LABELS);
    case 'docker:index/volume:Volume':
      return planVolume(resource.name, inputs, LAB_STACK_LABELS);
    case 'random:index/randomPassword:RandomPassword':
      return generatePassword(resource.name, inputs);
    default:
      throw new Error(`${resource.type} ${resource.name}: not a type the lab applier creates`);
  }
}

function tarListing(buffer: Buffer): string {
  return spawnSync('tar', ['-tvf', '-'], { input: buffer }).stdout.toString();
}

describe('lab applier: the lab stack as Engine API requests', () => {
  let plans: Map<string, Plan>;

  before(async () => {
    const deployment = await deployUnderMocks(readLabStackConfig(REPO, { backendCount: 3 }));
    plans = new Map(deployment.resources.filter((r) => !r.type.startsWith('hft:')).map((r) => [`${r.type}::${r.name}`, plan(r)]));
  });

  const container = (name: string) => {
    const found = [...plans.entries()].find(([key]) => key.startsWith('docker:index/container:Container::') && key.endsWith(`-${name}`));
    assert.ok(found, `no container ${name}`);
    return found[1] as ReturnType<typeof planContainer>;
  };

  it('plans every resource of the stack without an unimplemented field', () => {
    const containers = [...plans.keys()].filter((key) => key.includes(':Container::'));
    assert.equal(containers.length, 8, containers.join(', '));
  });

  it('postgres: its volume as a bind, user 999, health check in nanoseconds, restart unless-stopped, on the network as postgres', () => {
    const pg = container('postgres');
    assert.equal(pg.name, 'hft-lab-postgres');
    assert.equal(pg.create.User, '999:999');
    assert.deepEqual(pg.create.HostConfig?.Binds, ['hft-lab-postgres-data:/var/lib/postgresql/data']);
    assert.deepEqual(pg.create.HostConfig?.RestartPolicy, { Name: 'unless-stopped', MaximumRetryCount: undefined });
    assert.equal(pg.create.HostConfig?.NetworkMode, 'hft-lab-network');
    assert.deepEqual(pg.create.NetworkingConfig?.EndpointsConfig?.['hft-lab-network'].Aliases, ['postgres']);
    assert.equal(pg.create.Healthcheck?.Interval, 10e9);
    assert.ok(pg.create.Env?.includes(`POSTGRES_PASSWORD=${mockPassword('data-postgres-password')}`), 'the generated password, revealed');
    assert.equal(pg.create.Labels?.['hft-lab.owner'], 'stack-lab');
    assert.ok(pg.waitTimeoutSeconds !== undefined && !pg.attach);
  });

  it('nginx: the load balancer port published, its config uploaded before the start', () => {
    const nginx = container('nginx');
    assert.deepEqual(nginx.create.HostConfig?.PortBindings, { '8080/tcp': [{ HostIp: '0.0.0.0', HostPort: '18080' }] });
    assert.match(tarListing(nginx.uploads!), /-rw-r--r-- .* etc\/nginx\/hft\/nginx\.conf/);
  });

  it('the migration runs attached, to its exit code, without restarts or a health check', () => {
    const migrate = container('migrate');
    assert.equal(migrate.attach, true);
    assert.equal(migrate.waitTimeoutSeconds, undefined);
    assert.equal(migrate.create.HostConfig?.RestartPolicy?.Name, 'no');
    assert.deepEqual(migrate.create.Healthcheck?.Test, ['NONE']);
  });

  it('the backend image: backend/Dockerfile in the repository, NODE_IMAGE the node stand-in', () => {
    const build = [...plans.entries()].find(([key]) => key.startsWith('docker:index/image:Image::'))?.[1] as ReturnType<typeof planImageBuild>;
    assert.deepEqual(build, {
      tag: 'hft-lab/backend:stack',
      contextDir: REPO,
      dockerfile: 'backend/Dockerfile',
      buildArgs: { NODE_IMAGE: 'hft-lab/node:20-bookworm-slim' },
      target: undefined,
    });
  });
});

describe('lab applier: fields it does not implement', () => {
  const base = { name: 'c', image: 'i' };
  const rejects = (inputs: Record<string, unknown>, message: RegExp) =>
    assert.throws(() => planContainer('r', { ...base, ...inputs }, {}), (error: Error) => error instanceof UnsupportedFieldError && message.test(error.message));

  it('names an unknown top-level field', () => rejects({ privileged: true }, /Container r: input field privileged is not implemented/));
  it('names an unknown nested field with its path', () => rejects({ ports: [{ internal: 80, gwPriority: 1 }] }, /Container r\.ports\[0\]: input field gwPriority/));
  it('rejects a value the lab engine cannot honour', () => rejects({ healthcheck: { tests: ['CMD', 'true'], startInterval: '5s' } }, /startInterval="5s"/));
  it('rejects a wait timeout without wait', () => rejects({ waitTimeout: 30 }, /waitTimeout=30/));
  it('refuses to push: no registry', () =>
    assert.throws(() => planImageBuild('b', { imageName: 'x', skipPush: false, build: { context: '.' } }, REPO), /skipPush=false/));
  it('names unknown network fields', () => assert.throws(() => planNetwork('n', { name: 'n', ipamConfigs: [{ subnet: '10.0.0.0/24' }] }, {}), /input field ipamConfigs/));
});

describe('lab applier: values', () => {
  it('reads Go durations', () => {
    assert.equal(goDurationNs('1m30s'), 90e9);
    assert.equal(goDurationNs('500ms'), 5e8);
    assert.equal(goDurationNs('0s'), 0);
    assert.throws(() => goDurationNs('10 seconds'), /not a duration/);
  });

  it('generates passwords with the requested classes and minimums', () => {
    const plain = generatePassword('p', { length: 32, special: false });
    assert.match(plain, /^[A-Za-z0-9]{32}$/);
    assert.notEqual(plain, generatePassword('p', { length: 32, special: false }));
    const mixed = generatePassword('p', { length: 8, upper: false, minNumeric: 3, minSpecial: 2, overrideSpecial: '#' });
    assert.match(mixed, /^[a-z0-9#]{8}$/);
    assert.ok((mixed.match(/\d/g) ?? []).length >= 3 && (mixed.match(/#/g) ?? []).length >= 2, mixed);
  });
});
