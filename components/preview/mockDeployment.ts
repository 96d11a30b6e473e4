/**
 * Runs the program under `pulumi.runtime.setMocks`: every resource it would
 * create, with its parent and its inputs as the engine would receive them
 * (secrets still wrapped), and the stack outputs. Used by the offline preview
 * and the component tests; no engine, cloud or Docker socket is touched.
 */
import * as pulumi from '@pulumi/pulumi';
import { StackConfig } from '../config';
import { BackendEndpoint } from '../platform';
import { deployStack } from '../program';

/** How the Pulumi SDK marks a secret value on the wire. */
const SECRET_SIG_KEY = '4dabf18193072939515e22adb298388d';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

export interface MockedResource {
  type: string;
  name: string;
  /** The parent's name and type; undefined for top-level resources. */
  parent?: string;
  parentType?: string;
  /** The replaced resource goes before its successor is created (fixed names and ports). */
  deleteBeforeReplace: boolean;
  /** Inputs as the engine would get them: a secret is `{ [signature]: …, value }` (see isSecret). */
  inputs: Record<string, unknown>;
}

export interface MockedDeployment {
  /** In the order the program created them. */
  resources: MockedResource[];
  outputs: {
    loadBalancerUrl: string;
    backendCount: number;
    backends: BackendEndpoint[];
    engineShards: number;
    symbols: string;
    target: string;
  };
}

export function isSecret(value: unknown): value is { value: unknown } {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

/** `value` with every secret replaced by what it holds. */
export function revealSecrets(value: unknown): unknown {
  if (isSecret(value)) return revealSecrets(value.value);
  if (Array.isArray(value)) return value.map(revealSecrets);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealSecrets(v)]));
  return value;
}

/** `value` with every secret blanked out: what would be stored and shown in plain text. */
export function blankSecrets(value: unknown): unknown {
  if (isSecret(value)) return '[secret]';
  if (Array.isArray(value)) return value.map(blankSecrets);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, blankSecrets(v)]));
  return value;
}

/** The password the mocks give the RandomPassword named `name`. */
export function mockPassword(name: string): string {
  return `Mock${name.replace(/[^A-Za-z0-9]/g, '')}Pw7`;
}

/**
 * What the providers would report back, as far as the program reads it.
 * Images report their name as their ID, so a script that applies the mocked
 * graph to a real Docker engine can use a container's `image` as it is.
 */
function mockState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  const inputs = args.inputs as Record<string, any>;
  switch (args.type) {
    case 'random:index/randomPassword:RandomPassword':
      return { ...inputs, result: mockPassword(args.name) };
    case 'docker:index/container:Container':
      return { ...inputs, exitCode: inputs.attach ? 0 : undefined };
    case 'docker:index/image:Image':
      return { ...inputs, repoDigest: inputs.imageName };
    case 'docker:index/remoteImage:RemoteImage':
      return { ...inputs, imageId: inputs.name };
  }
  if (!args.type.startsWith('kubernetes:')) return inputs;
  // The provider names objects that have no fixed name.
  const metadata = { ...inputs.metadata, name: inputs.metadata?.name ?? `${args.name}-0a1b2c3d` };
  if (args.type !== 'kubernetes:core/v1:Service') return { ...inputs, metadata };
  const spec = inputs.spec ?? {};
  return {
    ...inputs,
    metadata,
    spec: { ...spec, ports: (spec.ports ?? []).map((port: object) => (spec.type === 'NodePort' ? { nodePort: 30080, ...port } : port)) },
    status: spec.type === 'LoadBalancer' ? { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } } : {},
  };
}

function settled<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

let recording: Map<string, MockedResource> | undefined;
let mocksInstalled: Promise<void> | undefined;

/**
 * One mock monitor per process: a component registers its outputs a little
 * after its last child, so a monitor replaced by the next run would not know it.
 */
function installMocks(): Promise<void> {
  mocksInstalled ??= pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        if (!recording) throw new Error(`${args.type} ${args.name} was registered outside deployUnderMocks`);
        recording.set(`${args.type}::${args.name}`, { type: args.type, name: args.name, inputs: args.inputs, deleteBeforeReplace: false });
        return { id: `${args.name}-id`, state: mockState(args) };
      },
      call: (args) => args.inputs,
    },
    'hft-stack',
    'mock',
  );
  return mocksInstalled;
}

/** Runs deployStack(config) under mocks and resolves once every resource is registered. One run at a time. */
export async function deployUnderMocks(config: StackConfig): Promise<MockedDeployment> {
  if (recording) throw new Error('deployUnderMocks is already running');
  await installMocks();
  const resources = new Map<string, MockedResource>();
  recording = resources;
  const created: pulumi.Resource[] = [];
  const keys = new Map<pulumi.Resource, { type: string; name: string }>();
  const parents = new Map<string, { type: string; name: string } | undefined>();
  const deleteFirst = new Set<string>();
  try {
    const stack = deployStack(config, {
      // Legacy transformations run in the SDK itself, so under mocks too; they see every resource and its parent.
      transformations: [
        (args) => {
          created.push(args.resource);
          keys.set(args.resource, { type: args.type, name: args.name });
          parents.set(`${args.type}::${args.name}`, args.opts.parent ? keys.get(args.opts.parent) : undefined);
          if ((args.opts as pulumi.CustomResourceOptions).deleteBeforeReplace) deleteFirst.add(`${args.type}::${args.name}`);
          return undefined;
        },
      ],
    });
    const [loadBalancerUrl, backends] = await Promise.all([settled(stack.loadBalancerUrl), settled(stack.backends)]);
    await Promise.all(created.map((resource) => settled(resource.urn)));
    const order = created.map((resource) => `${keys.get(resource)?.type}::${keys.get(resource)?.name}`);
    return {
      resources: [...resources.entries()]
        .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
        .map(([key, resource]) => ({
          ...resource,
          parent: parents.get(key)?.name,
          parentType: parents.get(key)?.type,
          deleteBeforeReplace: deleteFirst.has(key),
        })),
      // Every output as \`pulumi stack output\` shows it: the two Outputs resolved, the rest as they are.
      outputs: { ...stack, loadBalancerUrl, backends },
    };
  } finally {
    recording = undefined;
  }
}
