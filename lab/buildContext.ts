/** Build contexts as tar streams, made by the host's tar (the Engine API takes a tar). */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';

/** Files or folders `names`, relative to `dir`, go to the context's root. */
export interface ContextPart {
  dir: string;
  names: string[];
}

/**
 * .dockerignore patterns as tar exclusions anchored at the context root.
 * Exceptions (`!pattern`) have no tar equivalent and are rejected.
 */
export function dockerignoreExcludes(contextDir: string): string[] {
  const file = path.join(contextDir, '.dockerignore');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((pattern) => {
      if (pattern.startsWith('!')) throw new Error(`${file}: exception patterns (${pattern}) are not supported by the lab`);
      return `--exclude=./${pattern.replace(/^\/+/, '').replace(/\/+$/, '')}`;
    });
}

function tarStream(args: string[]): Readable {
  const tar = spawn('tar', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = new PassThrough();
  let stderr = '';
  tar.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  tar.stdout.pipe(out, { end: false });
  tar.on('error', (error) => out.destroy(error));
  tar.on('close', (code) => {
    if (code === 0) out.end();
    else out.destroy(new Error(`tar ${args.join(' ')} exited with ${code}: ${stderr.trim()}`));
  });
  return out;
}

// Owner and group are fixed so the builder's cache does not depend on who checked the files out.
const COMMON = ['--create', '--file=-', '--owner=0', '--group=0', '--numeric-owner'];

/** A whole folder, minus its .dockerignore patterns. */
export function packDirectory(dir: string): Readable {
  return tarStream([...COMMON, '--anchored', '--wildcards', ...dockerignoreExcludes(dir), `--directory=${dir}`, '.']);
}

/**
 * Several folders' entries side by side; symbolic links are followed.
 * `transforms` are GNU tar `s,from,to,` renames applied to member names.
 */
export function packParts(parts: ContextPart[], transforms: string[] = []): Readable {
  return tarStream([
    ...COMMON,
    '--dereference',
    ...transforms.map((t) => `--transform=${t}`),
    ...parts.flatMap((p) => [`--directory=${p.dir}`, ...p.names]),
  ]);
}

/** A root filesystem as it is: owners, modes and links preserved. */
export function packRootfs(dir: string): Readable {
  return tarStream(['--create', '--file=-', '--numeric-owner', `--directory=${dir}`, '.']);
}
