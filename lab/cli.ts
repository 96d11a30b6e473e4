/**
 * The lab's command line (root; Debian bookworm):
 *   up [--backends N]  install host packages, start the lab's dockerd, build the
 *                      images, apply the lab stack, write .lab/outputs.json
 *   down               remove everything the lab created on its engine, stop it
 *   images             the first three steps of `up`, plus the backend image
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { applyStack } from './applier/applyStack';
import { LAB_OWNER_LABEL, LAB_STACK_LABELS, readLabStackConfig } from './applier/labStack';
import { BACKEND_ALIAS, buildBackendImage } from './backendImage';
import { removeLabeled } from './containerOps';
import { dockerHost, runningDaemonPid, startDaemon, stopDaemon, dockerClient } from './daemon';
import { ensureStandIns } from './images';
import { ensureHostPackages } from './packages';
import { LabPaths, labPaths } from './paths';
import { consoleLog as log, seconds, step } from './progress';
import { unhealthyContainers } from './stackStatus';

export const OUTPUTS_FILE = 'outputs.json';

async function engine(paths: LabPaths): Promise<Docker> {
  const installed = await step(log, 'host packages (docker.io, debootstrap)', ensureHostPackages);
  if (installed.length > 0) log(`lab:   installed ${installed.join(', ')}`);
  const { docker, started } = await step(log, `dockerd on ${paths.socketPath}`, () => startDaemon(paths));
  log(`lab:   ${started ? 'started' : 'already running'}`);
  return docker;
}

async function images(): Promise<void> {
  const paths = labPaths();
  const docker = await engine(paths);
  const standIns = await ensureStandIns(docker, paths, log);
  await step(log, `backend image ${BACKEND_ALIAS} (backend/Dockerfile)`, () =>
    buildBackendImage(docker, paths, { tag: BACKEND_ALIAS, nodeImage: standIns.node.alias }),
  );
}

async function up(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { backends: { type: 'string' } }, strict: true });
  const backendCount = values.backends === undefined ? undefined : Number(values.backends);
  const config = readLabStackConfig(labPaths().repoRoot, { backendCount });
  const paths = labPaths();
  const docker = await engine(paths);
  await ensureStandIns(docker, paths, log);
  const owner = LAB_STACK_LABELS[LAB_OWNER_LABEL];
  // Every up starts clean: fresh volumes for the fresh passwords the stack generates.
  const previous = await step(log, 'remove the previous lab stack', () => removeLabeled(docker, LAB_OWNER_LABEL, owner));
  if (previous.length > 0) log(`lab:   removed ${previous.length}: ${previous.join(', ')}`);
  const stack = await step(log, `apply Pulumi.lab.yaml (${config.backendCount} backends, ${config.engineShards} engine shard(s))`, () =>
    applyStack(docker, config, { projectDir: paths.repoRoot, labels: LAB_STACK_LABELS, logDir: paths.logDir, log }),
  );
  const problems = await step(log, 'every container healthy', () => unhealthyContainers(docker, LAB_OWNER_LABEL, owner));
  if (problems.length > 0) throw new Error(`the lab stack is not healthy: ${problems.join('; ')}`);
  // The stack outputs of DESIGN.md, plus where the engine is (docker exec, docker kill).
  const outputs = { ...stack, dockerHost: dockerHost(paths) };
  fs.mkdirSync(paths.outputsDir, { recursive: true });
  const file = path.join(paths.outputsDir, OUTPUTS_FILE);
  fs.writeFileSync(file, `${JSON.stringify(outputs, null, 2)}\n`);
  log(`lab: ${outputs.loadBalancerUrl} (${outputs.backendCount} backends); outputs in ${path.relative(process.cwd(), file)}; DOCKER_HOST=${outputs.dockerHost}`);
}

async function down(): Promise<void> {
  const paths = labPaths();
  if (runningDaemonPid(paths) !== undefined) {
    const removed = await step(log, 'remove everything the lab created', () => removeLabeled(dockerClient(paths), LAB_OWNER_LABEL));
    log(`lab:   removed ${removed.length}${removed.length > 0 ? `: ${removed.join(', ')}` : ''}`);
  }
  const stopped = await step(log, 'stop dockerd', () => stopDaemon(paths));
  log(`lab:   ${stopped ? 'stopped' : 'was not running'}`);
  fs.rmSync(path.join(paths.outputsDir, OUTPUTS_FILE), { force: true });
}

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = { up, down, images };

async function main(): Promise<void> {
  const [command, ...argv] = process.argv.slice(2);
  const run = COMMANDS[command ?? ''];
  if (!run) throw new Error(`usage: node dist/lab/cli.js up [--backends N] | down | images`);
  const started = Date.now();
  await run(argv);
  log(`lab: ${command} finished in ${seconds(started)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`lab: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
