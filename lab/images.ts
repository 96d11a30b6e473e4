/** The base image and the stand-ins, built when missing, in dependency order. */
import Docker from 'dockerode';
import { ensureBaseImage, LabImage } from './baseImage';
import { LabPaths } from './paths';
import { Log, step } from './progress';
import { ensureStandIn, StandInName } from './standIns';

export type LabImages = Record<'base' | StandInName, LabImage>;

const STAND_INS: StandInName[] = ['postgres', 'redis', 'nginx', 'node'];

function outcome(image: LabImage): string {
  return image.built ? `built ${image.versioned}` : `reused ${image.versioned}`;
}

export async function ensureStandIns(docker: Docker, paths: LabPaths, log: Log): Promise<LabImages> {
  const base = await step(log, 'base image (debootstrap bookworm minbase)', () => ensureBaseImage(docker, paths));
  log(`lab:   ${outcome(base)}`);
  const images = { base } as LabImages;
  for (const name of STAND_INS) {
    images[name] = await step(log, `stand-in image ${name}`, () => ensureStandIn(docker, paths, name, base));
    log(`lab:   ${outcome(images[name])}`);
  }
  return images;
}
