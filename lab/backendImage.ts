/**
 * The backend image, built from backend/Dockerfile itself with the node
 * stand-in as its base (NODE_IMAGE), so the lab tests the Dockerfile users
 * build. Always rebuilt: the builder's layer cache makes an unchanged tree
 * cheap, and a changed one must never run stale code.
 */
import * as path from 'node:path';
import Docker from 'dockerode';
import { packDirectory } from './buildContext';
import { buildImage } from './imageBuild';
import { LabPaths } from './paths';

export const BACKEND_ALIAS = 'hft-lab/backend:lab';

export interface BackendBuild {
  tag: string;
  nodeImage: string;
  /** Context folder and Dockerfile path inside it (defaults: the repository, backend/Dockerfile). */
  contextDir?: string;
  dockerfile?: string;
  /** More build arguments (NODE_IMAGE is set from nodeImage). */
  buildArgs?: Record<string, string>;
}

export async function buildBackendImage(docker: Docker, paths: LabPaths, build: BackendBuild): Promise<void> {
  await buildImage(docker, {
    tag: build.tag,
    context: packDirectory(build.contextDir ?? paths.repoRoot),
    dockerfile: build.dockerfile ?? 'backend/Dockerfile',
    buildArgs: { ...build.buildArgs, NODE_IMAGE: build.nodeImage },
    logFile: path.join(paths.logDir, 'build-backend.log'),
  });
}
