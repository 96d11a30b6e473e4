/**
 * The lab: the docker target's containers on a real, private Docker engine,
 * offline (no registry), for CI. See lab/README.md.
 */
export { labPaths, LabPaths } from './paths';
export { ensureHostPackages } from './packages';
export { startDaemon, stopDaemon, dockerClient, dockerHost, runningDaemonPid } from './daemon';
export { ensureBaseImage, LabImage } from './baseImage';
export { ensureStandIn, STAND_IN_ALIASES, StandInName } from './standIns';
export { ensureStandIns, LabImages } from './images';
export { buildBackendImage, BACKEND_ALIAS } from './backendImage';
export { execIn, runToCompletion, waitHealthy, removeLabeled } from './containerOps';
export { applyStack, AppliedStack } from './applier/applyStack';
export { readLabStackConfig, LAB_OWNER_LABEL, LAB_STACK_LABELS } from './applier/labStack';
