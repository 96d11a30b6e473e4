/** Building, importing and tagging images through the Engine API. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import Docker from 'dockerode';
import { tail } from './commands';

export interface BuildRequest {
  /** repository:tag to give the result. */
  tag: string;
  context: Readable;
  /** Path of the Dockerfile inside the context. */
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  /** Stage to stop at (multi-stage Dockerfiles). */
  target?: string;
  labels?: Record<string, string>;
  /** The builder's whole output goes here; errors quote its tail. */
  logFile: string;
}

interface ProgressEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

export async function imageExists(docker: Docker, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

/** Gives an existing image one more name (`repository:tag`). */
export async function tagImage(docker: Docker, image: string, repoTag: string): Promise<void> {
  const at = repoTag.lastIndexOf(':');
  await docker.getImage(image).tag({ repo: repoTag.slice(0, at), tag: repoTag.slice(at + 1) });
}

function follow(docker: Docker, stream: NodeJS.ReadableStream, logFile: string, what: string): Promise<void> {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const log = fs.createWriteStream(logFile);
  let transcript = '';
  // The builder reports a failed step as an `error` event, not as a stream error.
  let failure: string | undefined;
  return new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error) => {
        log.end();
        failure ??= error?.message;
        if (failure) reject(new Error(`${what} failed: ${failure}\n${tail(transcript, 30)}\n(full log: ${logFile})`));
        else resolve();
      },
      (event: ProgressEvent) => {
        const text = event.stream ?? (event.status ? `${event.status}\n` : '');
        transcript += text;
        log.write(text);
        if (event.error) {
          failure ??= event.errorDetail?.message ?? event.error;
          log.write(`${event.error}\n`);
        }
      },
    );
  });
}

/**
 * The classic builder, with the host's network for RUN steps: the lab's
 * engine has no NAT (see daemon.ts), and the host reaches the Debian mirror
 * and the npm registry directly.
 */
export async function buildImage(docker: Docker, request: BuildRequest): Promise<void> {
  const stream = await docker.buildImage(request.context, {
    t: request.tag,
    dockerfile: request.dockerfile ?? 'Dockerfile',
    buildargs: request.buildArgs,
    target: request.target,
    labels: request.labels,
    networkmode: 'host',
    rm: true,
    forcerm: true,
    version: '1',
  });
  await follow(docker, stream, request.logFile, `docker build of ${request.tag}`);
  if (!(await imageExists(docker, request.tag))) {
    throw new Error(`docker build of ${request.tag} produced no image (full log: ${request.logFile})`);
  }
}

/** `docker import`: a root filesystem tar becomes an image. */
export async function importImage(docker: Docker, rootfs: Readable, repoTag: string, changes: string[], logFile: string): Promise<void> {
  const at = repoTag.lastIndexOf(':');
  const stream = await docker.importImage(rootfs, { repo: repoTag.slice(0, at), tag: repoTag.slice(at + 1), changes });
  await follow(docker, stream, logFile, `docker import of ${repoTag}`);
}

/**
 * Removes the names of `repository` other than `keep` (earlier content-hash
 * versions), so a changed recipe does not leave its old image behind. An
 * image still used by a container keeps its name.
 */
export async function removeOtherTags(docker: Docker, repository: string, keep: string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const image of await docker.listImages({ filters: JSON.stringify({ reference: [repository] }) })) {
    for (const tag of image.RepoTags ?? []) {
      if (keep.includes(tag) || !tag.startsWith(`${repository}:`)) continue;
      try {
        await docker.getImage(tag).remove();
        removed.push(tag);
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode !== 409) throw error;
      }
    }
  }
  return removed;
}
