/**
 * Where the lab keeps its state. The engine's data root sits at a fixed place
 * outside the clone so every run on the same machine reuses the images built
 * before; the socket and pid file live under /run, which a reboot clears.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface LabPaths {
  /** Persistent state: the engine's images and volumes, build logs. */
  stateDir: string;
  dataRoot: string;
  logDir: string;
  /** Runtime state of the private dockerd. */
  runDir: string;
  execRoot: string;
  socketPath: string;
  pidFile: string;
  daemonLog: string;
  /** The clone: build contexts, backend/Dockerfile, the `.lab` outputs. */
  repoRoot: string;
  outputsDir: string;
  imagesDir: string;
}

/** The project root: the nearest folder above `from` that holds package.json. */
export function findRepoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (dir === path.dirname(dir)) throw new Error(`no package.json above ${from}`);
  }
}

export function labPaths(env: NodeJS.ProcessEnv = process.env): LabPaths {
  const stateDir = env.HFT_LAB_STATE_DIR ?? '/var/lib/hft-lab';
  const runDir = env.HFT_LAB_RUN_DIR ?? '/run/hft-lab';
  const repoRoot = findRepoRoot();
  return {
    stateDir,
    dataRoot: path.join(stateDir, 'docker'),
    logDir: path.join(stateDir, 'logs'),
    runDir,
    execRoot: path.join(runDir, 'exec'),
    socketPath: path.join(runDir, 'docker.sock'),
    pidFile: path.join(runDir, 'dockerd.pid'),
    daemonLog: path.join(stateDir, 'logs', 'dockerd.log'),
    repoRoot,
    outputsDir: path.join(repoRoot, '.lab'),
    imagesDir: path.join(repoRoot, 'lab', 'images'),
  };
}
