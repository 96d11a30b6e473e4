/**
 * The specs on one Docker engine: a network, named volumes, containers with
 * health checks and restart policies. Official images are pulled; the
 * backend image is built from backend/Dockerfile with the repository root
 * as context. Containers are named `${namePrefix}${name}` and reachable on
 * the network by `name` (`postgres`, `backend-1` …). Names are fixed, so a
 * replaced resource is deleted before its successor is created.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { ContainerSpec, EnvValue, JobSpec, Probe, RunningSpec, SecretKeyRef, ServiceSpec, StoreSpec } from '../spec';
import { BackendImageSpec, DeployedJob, DeployedService, DeployedStore, Platform, Scope } from './platform';

export interface DockerPlatformArgs {
  /** Prefix of container, volume and network names on the engine. */
  namePrefix: string;
  /** Options of the platform's own resources (network, backend image), e.g. a provider. */
  opts?: pulumi.CustomResourceOptions;
}

/** Seconds `pulumi up` waits for a container to turn healthy: its start grace plus its allowed failures. */
function waitSeconds(probe: Probe): number {
  return probe.startSeconds + probe.periodSeconds * probe.failureThreshold + 30;
}

function healthcheck(probe: Probe): docker.types.input.ContainerHealthcheck {
  return {
    tests: ['CMD', ...probe.command],
    interval: `${probe.periodSeconds}s`,
    timeout: `${probe.timeoutSeconds}s`,
    retries: probe.failureThreshold,
    startPeriod: `${probe.startSeconds}s`,
  };
}

function envs(env: Record<string, EnvValue>, instanceName: string): pulumi.Output<string>[] {
  return Object.entries(env).map(([name, value]) => {
    if (typeof value === 'string') return pulumi.output(`${name}=${value}`);
    if (value.kind === 'instanceName') return pulumi.output(`${name}=${instanceName}`);
    return pulumi.interpolate`${name}=${value.value}`;
  });
}

export class DockerPlatform implements Platform {
  readonly target = 'docker' as const;
  private readonly network: docker.Network;

  constructor(private readonly args: DockerPlatformArgs) {
    this.network = new docker.Network('network', { name: `${args.namePrefix}network` }, { ...args.opts, deleteBeforeReplace: true });
  }

  backendImage(spec: BackendImageSpec): pulumi.Output<string> {
    const image = new docker.Image(
      'backend-image',
      {
        imageName: spec.name,
        build: { context: '.', dockerfile: 'backend/Dockerfile', args: { NODE_IMAGE: spec.nodeImage } },
        // A local engine needs no registry: the containers run the image this build leaves behind.
        skipPush: true,
      },
      this.args.opts,
    );
    // For a local image this is its ID, which changes with every build that changes it: containers follow.
    return image.repoDigest;
  }

  secret(_name: string, values: Record<string, pulumi.Output<string>>): Record<string, SecretKeyRef> {
    // Docker outside swarm has no secret store: containers get the values as secret inputs.
    return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, { kind: 'secretKey', key, value: pulumi.secret(value) }]));
  }

  deployStore(spec: StoreSpec, scope: Scope): DeployedStore {
    const volume = new docker.Volume(
      `${scope.name}-${spec.name}-data`,
      { name: `${this.args.namePrefix}${spec.name}-data` },
      { parent: scope.parent, deleteBeforeReplace: true },
    );
    const container = this.runningContainer(spec, spec.name, scope, {
      volumes: [{ volumeName: volume.name, containerPath: spec.dataPath }],
    });
    return { host: container.name.apply(() => spec.name) };
  }

  deployJob(spec: JobSpec, scope: Scope): DeployedJob {
    const container = new docker.Container(
      `${scope.name}-${spec.name}`,
      {
        ...this.containerArgs(spec, spec.name, scope),
        // attach: `pulumi up` waits until the job exits; mustRun false: an exited job is its success.
        attach: true,
        mustRun: false,
        restart: 'no',
        // A job is judged by its exit code; NONE also disables any check inherited from the image.
        healthcheck: { tests: ['NONE'] },
      },
      { parent: scope.parent, deleteBeforeReplace: true },
    );
    const succeeded = pulumi.all([container.exitCode, container.name]).apply(([exitCode, name]) => {
      if (exitCode !== 0) {
        throw new Error(`${name} exited with code ${exitCode}: see docker logs ${name}; once fixed, replace it (pulumi up --replace <its URN>)`);
      }
      return name;
    });
    return { succeeded };
  }

  deployService(spec: ServiceSpec, scope: Scope): DeployedService {
    if (!spec.numbered && spec.replicas !== 1) {
      throw new Error(`${spec.name}: an unnumbered docker service runs exactly one container (replicas ${spec.replicas})`);
    }
    const names = spec.numbered ? Array.from({ length: spec.replicas }, (_, i) => `${spec.name}-${i + 1}`) : [spec.name];
    const exposure = spec.exposure;
    const containers = names.map((name) =>
      this.runningContainer(
        spec,
        name,
        scope,
        exposure.kind === 'published' ? { ports: [{ internal: exposure.targetPort, external: exposure.port }] } : {},
      ),
    );
    // Resolving after every container exists (and is healthy) orders whatever uses these after them.
    const ready = pulumi.all(containers.map((container) => container.name));
    const port = spec.ports[0]?.port;
    return {
      endpoints: ready.apply(() => names.map((name) => (port === undefined ? { name } : { name, url: `http://${name}:${port}` }))),
      upstreams: ready.apply(() => (port === undefined ? [] : names.map((host) => ({ host, port })))),
      url: exposure.kind === 'published' ? ready.apply(() => `http://localhost:${exposure.port}`) : undefined,
    };
  }

  /** A plain image name is an official image to pull; an Output is the image this stack built. */
  private image(spec: ContainerSpec, alias: string, scope: Scope): pulumi.Input<string> {
    if (typeof spec.image !== 'string') return spec.image;
    return new docker.RemoteImage(`${scope.name}-${alias}-image`, { name: spec.image, keepLocally: true }, { parent: scope.parent }).imageId;
  }

  private containerArgs(spec: ContainerSpec, alias: string, scope: Scope): docker.ContainerArgs {
    return {
      name: `${this.args.namePrefix}${alias}`,
      image: this.image(spec, alias, scope),
      command: spec.command,
      envs: envs(spec.env, alias),
      user: `${spec.user.uid}:${spec.user.gid}`,
      networksAdvanced: [{ name: this.network.name, aliases: [alias] }],
      labels: [{ label: 'hft-stack.role', value: spec.role }],
    };
  }

  private runningContainer(spec: RunningSpec, alias: string, scope: Scope, extra: Pick<docker.ContainerArgs, 'ports' | 'volumes'>): docker.Container {
    const probe = spec.readiness ?? spec.liveness;
    const args = this.containerArgs(spec, alias, scope);
    const startAfter = spec.startAfter ?? [];
    return new docker.Container(
      `${scope.name}-${alias}`,
      {
        ...args,
        ...extra,
        healthcheck: healthcheck(probe),
        restart: 'unless-stopped',
        // `pulumi up` moves on only once the container is healthy, so dependents start after it.
        wait: true,
        waitTimeout: waitSeconds(probe),
        uploads: spec.files?.map((file) => ({ file: file.path, content: file.content })),
        labels: [
          { label: 'hft-stack.role', value: spec.role },
          // Names what this container waited for (the migration), and makes it wait.
          ...(startAfter.length === 0 ? [] : [{ label: 'hft-stack.after', value: pulumi.all(startAfter).apply((done) => done.join(',')) }]),
        ],
      },
      // The old container goes first: it holds the name, any host port, and (an engine shard) the single writer's role.
      { parent: scope.parent, deleteBeforeReplace: true },
    );
  }
}
