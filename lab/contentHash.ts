/** Content hashes that name image versions, so a changed recipe builds a new image. */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? filesUnder(full) : [full];
    })
    .sort();
}

/** 12 hex digits over every file under `dir` (name, mode, content) and the extra inputs. */
export function contentHash(dir: string, extras: string[] = []): string {
  const hash = createHash('sha256');
  for (const file of filesUnder(dir)) {
    const mode = fs.statSync(file).mode & 0o777;
    hash.update(`${path.relative(dir, file)}\0${mode.toString(8)}\0`);
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  }
  for (const extra of extras) hash.update(`${extra}\0`);
  return hash.digest('hex').slice(0, 12);
}
