/**
 * The lab's base image: Debian bookworm minbase bootstrapped from the host's
 * mirror and imported, standing in for debian:bookworm-slim.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import { debianMirror, readHostAptSources, renderSourcesList } from './aptSources';
import { packRootfs } from './buildContext';
import { run } from './commands';
import { contentHash } from './contentHash';
import { imageExists, importImage, removeOtherTags, tagImage } from './imageBuild';
import { LabPaths } from './paths';

export const BASE_REPOSITORY = 'hft-lab/base';
export const BASE_ALIAS = `${BASE_REPOSITORY}:bookworm`;

export interface LabImage {
  /** The content-addressed name: changes whenever the recipe does. */
  versioned: string;
  /** The stable name the stack config refers to. */
  alias: string;
  /** Whether this call built it (false: it was already on the engine). */
  built: boolean;
}

const IMPORT_CHANGES = ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'CMD ["bash"]'];

export async function ensureBaseImage(docker: Docker, paths: LabPaths): Promise<LabImage> {
  const sources = readHostAptSources();
  const mirror = debianMirror(sources);
  const sourcesList = renderSourcesList(sources);
  const recipeDir = path.join(paths.imagesDir, 'base');
  const versioned = `${BASE_REPOSITORY}:${contentHash(recipeDir, [mirror, sourcesList, ...IMPORT_CHANGES])}`;
  const built = !(await imageExists(docker, versioned));
  if (built) {
    const workDir = path.join(paths.stateDir, 'build', `base-${process.pid}`);
    fs.rmSync(workDir, { recursive: true, force: true });
    fs.mkdirSync(workDir, { recursive: true });
    try {
      const rootfs = path.join(workDir, 'rootfs');
      const sourcesFile = path.join(workDir, 'sources.list');
      fs.writeFileSync(sourcesFile, sourcesList);
      await run(path.join(recipeDir, 'make-rootfs.sh'), [rootfs, mirror, sourcesFile]);
      await importImage(docker, packRootfs(rootfs), versioned, IMPORT_CHANGES, path.join(paths.logDir, 'import-base.log'));
    } finally {
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  }
  await tagImage(docker, versioned, BASE_ALIAS);
  await removeOtherTags(docker, BASE_REPOSITORY, [versioned, BASE_ALIAS]);
  return { versioned, alias: BASE_ALIAS, built };
}
