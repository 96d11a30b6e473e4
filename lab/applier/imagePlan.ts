/**
 * docker:index/image:Image and docker:index/remoteImage:RemoteImage inputs →
 * a local build, and the name of an image the lab engine must already hold
 * (it reaches no registry). Pure.
 */
import * as path from 'node:path';
import { Fields, UnsupportedFieldError } from './fields';

export interface BuildPlan {
  tag: string;
  contextDir: string;
  /** Relative to contextDir. */
  dockerfile: string;
  buildArgs: Record<string, string>;
  target?: string;
}

/** `projectDir` is where the Pulumi program runs: build.context and build.dockerfile are relative to it. */
export function planImageBuild(resourceName: string, inputs: Record<string, unknown>, projectDir: string): BuildPlan {
  const fields = new Fields(inputs, `docker:index/image:Image ${resourceName}`);
  const tag = fields.requiredString('imageName');
  fields.only('skipPush', [true], 'the lab has no registry to push to');
  // Only a preview builds or not by it; the lab always creates.
  fields.afterCreation('buildOnPreview');
  const build = fields.object('build');
  if (!build) throw new UnsupportedFieldError(`${fields.path}: build is required (the lab builds images, it cannot pull them)`);
  const contextDir = path.resolve(projectDir, build.string('context') ?? '.');
  const dockerfilePath = path.resolve(projectDir, build.string('dockerfile') ?? path.join(contextDir, 'Dockerfile'));
  const dockerfile = path.relative(contextDir, dockerfilePath);
  if (dockerfile.startsWith('..')) throw new UnsupportedFieldError(`${build.path}: dockerfile ${dockerfilePath} is outside the context ${contextDir}`);
  const plan: BuildPlan = { tag, contextDir, dockerfile, buildArgs: build.stringMap('args') ?? {}, target: build.string('target') };
  // The lab engine's classic builder: a Dockerfile that needs BuildKit fails here instead of building differently.
  build.only('builderVersion', ['BuilderV1'], 'the lab builds with the classic builder');
  build.assertAllRead();
  fields.assertAllRead();
  return plan;
}

export function planRemoteImage(resourceName: string, inputs: Record<string, unknown>): string {
  const fields = new Fields(inputs, `docker:index/remoteImage:RemoteImage ${resourceName}`);
  const name = fields.requiredString('name');
  // Whether `pulumi destroy` removes the image: lab:down keeps every image for the next run anyway.
  fields.afterCreation('keepLocally');
  fields.assertAllRead();
  return name;
}
