/**
 * A stack folder of its own for a test (never the developer's .local/) and a
 * free load balancer port; `cleanUp` stops whatever it holds and deletes it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../../local/dataTier';
import { downStack } from '../../local/stack';

export interface TempStack {
  dir: string;
  port: number;
  cleanUp(): Promise<void>;
}

export async function tempStack(): Promise<TempStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hft-local-'));
  // PostgreSQL runs as user postgres when we are root: it must be able to enter the folder.
  fs.chmodSync(dir, 0o755);
  return {
    dir,
    port: await freePort(),
    async cleanUp() {
      await downStack(dir, true);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
