/**
 * Stand-ins for the official images the docker target names (postgres,
 * redis, nginx, node), built from the lab's base with Debian's packages and
 * the host's node. Each is named by a hash of its folder under lab/images and
 * of the base, so a changed recipe rebuilds it and an unchanged one is reused.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import Docker from 'dockerode';
import { LabImage } from './baseImage';
import { packDirectory, packParts } from './buildContext';
import { findExecutable } from './commands';
import { contentHash } from './contentHash';
import { buildImage, imageExists, removeOtherTags, tagImage } from './imageBuild';
import { LabPaths } from './paths';

export type StandInName = 'postgres' | 'redis' | 'nginx' | 'node';

/** The stable names the lab stack's config refers to. */
export const STAND_IN_ALIASES: Record<StandInName, string> = {
  postgres: 'hft-lab/postgres:15',
  redis: 'hft-lab/redis:7',
  nginx: 'hft-lab/nginx:1.22',
  node: 'hft-lab/node:20-bookworm-slim',
};

interface Recipe {
  /** Inputs besides the recipe folder that change the image. */
  extras: string[];
  buildArgs: Record<string, string>;
  context: (recipeDir: string) => Readable;
}

/** The host's node binary and npm package: what the node stand-in is made of. */
export function hostNode(): { binary: string; npmDir: string; nodeVersion: string; npmVersion: string } {
  const npmCli = findExecutable('npm');
  if (!npmCli) throw new Error('npm is not on PATH');
  const npmDir = path.dirname(path.dirname(fs.realpathSync(npmCli)));
  const npmPackage = JSON.parse(fs.readFileSync(path.join(npmDir, 'package.json'), 'utf8')) as { name: string; version: string };
  if (npmPackage.name !== 'npm') throw new Error(`${npmDir} is not the npm package`);
  return { binary: fs.realpathSync(process.execPath), npmDir, nodeVersion: process.version, npmVersion: npmPackage.version };
}

/**
 * The certificates the host's npm trusts. Where the registry is reached
 * through a TLS-inspecting proxy, its CA is only in the host's bundle, so npm
 * inside the builds trusts the same bundle (empty when the host has none).
 */
export function hostCaBundle(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [env.NODE_EXTRA_CA_CERTS, env.SSL_CERT_FILE, '/etc/ssl/certs/ca-certificates.crt'];
  const file = candidates.find((f): f is string => !!f && fs.existsSync(f));
  return file ? fs.readFileSync(file, 'utf8') : '';
}

function nodeRecipe(paths: LabPaths): Recipe {
  const node = hostNode();
  if (!node.nodeVersion.startsWith('v20.')) throw new Error(`the node stand-in needs node 20 on the host, found ${node.nodeVersion}`);
  const caBundle = hostCaBundle();
  const caDir = path.join(paths.stateDir, 'build', 'node-ca');
  const binaryName = path.basename(node.binary);
  return {
    extras: [node.nodeVersion, node.npmVersion, caBundle],
    buildArgs: { NODE_VERSION: node.nodeVersion.slice(1) },
    context: (recipeDir) => {
      fs.mkdirSync(caDir, { recursive: true });
      fs.writeFileSync(path.join(caDir, 'host-ca-certificates.crt'), caBundle);
      return packParts(
        [
          { dir: recipeDir, names: fs.readdirSync(recipeDir) },
          { dir: caDir, names: ['host-ca-certificates.crt'] },
          { dir: path.dirname(node.binary), names: [binaryName] },
          { dir: path.dirname(node.npmDir), names: ['npm'] },
        ],
        binaryName === 'node' ? [] : [`s,^${binaryName}$,node,`],
      );
    },
  };
}

function recipe(paths: LabPaths, name: StandInName): Recipe {
  return name === 'node' ? nodeRecipe(paths) : { extras: [], buildArgs: {}, context: packDirectory };
}

function repositoryOf(name: string): string {
  return name.slice(0, name.lastIndexOf(':'));
}

export async function ensureStandIn(docker: Docker, paths: LabPaths, name: StandInName, base: LabImage): Promise<LabImage> {
  const recipeDir = path.join(paths.imagesDir, name);
  const { extras, buildArgs, context } = recipe(paths, name);
  const alias = STAND_IN_ALIASES[name];
  const versioned = `${repositoryOf(alias)}:${contentHash(recipeDir, [base.versioned, ...extras])}`;
  const built = !(await imageExists(docker, versioned));
  if (built) {
    await buildImage(docker, {
      tag: versioned,
      context: context(recipeDir),
      buildArgs: { ...buildArgs, BASE_IMAGE: base.versioned },
      labels: { 'hft-lab.stand-in-for': name },
      logFile: path.join(paths.logDir, `build-${name}.log`),
    });
  }
  await tagImage(docker, versioned, alias);
  await removeOtherTags(docker, repositoryOf(alias), [versioned, alias]);
  return { versioned, alias, built };
}
