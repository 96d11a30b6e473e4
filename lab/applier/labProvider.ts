/**
 * Creates, on the lab's engine, each resource the program registers, as the
 * docker and random providers would, and answers with the state they would
 * report. It runs behind Pulumi's mock monitor: the SDK registers a resource
 * only once its inputs, parent and dependsOn have resolved, so resources are
 * created in the program's dependency order; a container with `wait` returns
 * only once healthy, so whatever depends on it starts after it, as in
 * `pulumi up`. Secret inputs are revealed in memory only, never printed.
 */
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import Docker from 'dockerode';
import { revealSecrets } from '../../components/preview/mockDeployment';
import { packDirectory } from '../buildContext';
import { logTail, waitHealthy, demuxLogs } from '../containerOps';
import { buildImage, imageExists } from '../imageBuild';
import { Log, seconds } from '../progress';
import { ContainerPlan, planContainer } from './containerPlan';
import { planImageBuild, planRemoteImage } from './imagePlan';
import { planNetwork, planVolume } from './networkVolumePlan';
import { generatePassword } from './randomPassword';

export class UnsupportedResourceError extends Error {}

type State = Record<string, unknown>;

export interface LabProviderOptions {
  /** Where the program runs: relative build contexts start here. */
  projectDir: string;
  /** Put on every container, network and volume, so lab:down finds them. */
  labels: Record<string, string>;
  logDir: string;
  log: Log;
}

export class LabProvider {
  /** Every failure, in the order they happened (the SDK may only surface a later symptom). */
  readonly errors: Error[] = [];

  constructor(
    private readonly docker: Docker,
    private readonly options: LabProviderOptions,
  ) {}

  async newResource(args: pulumi.runtime.MockResourceArgs): Promise<pulumi.runtime.MockResourceResult> {
    if (!args.custom) return { id: undefined, state: {} };
    try {
      const inputs = revealSecrets(args.inputs) as State;
      const { id, state } = await this.create(args.type, args.name, inputs);
      // The program's own inputs, secrets still marked, under what the provider adds.
      return { id, state: { ...args.inputs, ...state } };
    } catch (error) {
      this.errors.push(error as Error);
      throw error;
    }
  }

  private create(type: string, name: string, inputs: State): Promise<{ id: string; state: State }> {
    switch (type) {
      case 'docker:index/network:Network':
        return this.network(name, inputs);
      case 'docker:index/volume:Volume':
        return this.volume(name, inputs);
      case 'docker:index/remoteImage:RemoteImage':
        return this.remoteImage(name, inputs);
      case 'docker:index/image:Image':
        return this.image(name, inputs);
      case 'docker:index/container:Container':
        return this.container(name, inputs);
      case 'random:index/randomPassword:RandomPassword':
        return Promise.resolve({ id: 'none', state: { result: generatePassword(name, inputs) } });
      default:
        return Promise.reject(new UnsupportedResourceError(`${type} ${name}: the lab applier does not implement this resource type (lab/applier/labProvider.ts)`));
    }
  }

  private async network(name: string, inputs: State) {
    const plan = planNetwork(name, inputs, this.options.labels);
    const network = await this.docker.createNetwork(plan);
    this.options.log(`lab:   network ${plan.Name}`);
    return { id: network.id, state: { name: plan.Name } };
  }

  private async volume(name: string, inputs: State) {
    const plan = planVolume(name, inputs, this.options.labels);
    await this.docker.createVolume(plan);
    const volume = await this.docker.getVolume(plan.Name!).inspect();
    this.options.log(`lab:   volume ${volume.Name}`);
    return { id: volume.Name, state: { name: volume.Name, mountpoint: volume.Mountpoint } };
  }

  private async remoteImage(name: string, inputs: State) {
    const image = planRemoteImage(name, inputs);
    if (!(await imageExists(this.docker, image))) {
      throw new UnsupportedResourceError(
        `docker:index/remoteImage:RemoteImage ${name}: ${image} is not on the lab engine, which reaches no registry; ` +
          'the lab stack (Pulumi.lab.yaml) must name one of the stand-ins of lab/standIns.ts',
      );
    }
    const info = await this.docker.getImage(image).inspect();
    return { id: info.Id, state: { imageId: info.Id, repoDigest: info.RepoDigests?.[0] ?? '' } };
  }

  private async image(name: string, inputs: State) {
    const plan = planImageBuild(name, inputs, this.options.projectDir);
    const started = Date.now();
    await buildImage(this.docker, {
      tag: plan.tag,
      context: packDirectory(plan.contextDir),
      dockerfile: plan.dockerfile,
      buildArgs: plan.buildArgs,
      target: plan.target,
      logFile: path.join(this.options.logDir, `build-${plan.tag.replace(/[^A-Za-z0-9_.-]/g, '_')}.log`),
    });
    const info = await this.docker.getImage(plan.tag).inspect();
    this.options.log(`lab:   image ${plan.tag} built from ${plan.dockerfile} in ${seconds(started)}`);
    // A local build's repoDigest is its image ID: containers given it run exactly this build.
    return {
      id: info.Id,
      state: { imageName: plan.tag, repoDigest: info.Id, context: plan.contextDir, dockerfile: plan.dockerfile, baseImageName: plan.tag },
    };
  }

  private async container(name: string, inputs: State) {
    const plan = planContainer(name, inputs, this.options.labels);
    const started = Date.now();
    const container = await this.docker.createContainer(plan.create);
    for (const network of plan.moreNetworks) {
      await this.docker.getNetwork(network.name).connect({ Container: container.id, EndpointConfig: { Aliases: network.aliases } });
    }
    if (plan.uploads) await container.putArchive(plan.uploads, { path: '/' });
    const state: State = { name: plan.name };
    if (plan.start) {
      await container.start();
      Object.assign(state, await this.settle(container, plan));
    }
    this.options.log(`lab:   container ${plan.name}: ${describe(plan, state)} after ${seconds(started)}`);
    if (plan.attach && state.exitCode !== 0) this.options.log(`lab:   its last output:\n${await logTail(this.docker, container.id)}`);
    return { id: container.id, state };
  }

  /** What the provider waits for after the start: the exit (attach) or health (wait). */
  private async settle(container: Docker.Container, plan: ContainerPlan): Promise<State> {
    if (plan.attach) {
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      if (!plan.logs) return { exitCode: StatusCode };
      const logs = demuxLogs((await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer);
      return { exitCode: StatusCode, containerLogs: `${logs.stdout}${logs.stderr}` };
    }
    if (plan.waitTimeoutSeconds !== undefined) await waitHealthy(this.docker, container.id, plan.waitTimeoutSeconds * 1000);
    return {};
  }
}

function describe(plan: ContainerPlan, state: State): string {
  if (!plan.start) return 'created';
  if (plan.attach) return `exited with ${String(state.exitCode)}`;
  return plan.waitTimeoutSeconds !== undefined ? 'healthy' : 'started';
}
