/** The host packages the lab needs, installed from Debian's mirror when missing. */
import { findExecutable, run, CommandError } from './commands';

/** Executable → the Debian package that provides it. */
const REQUIRED: Record<string, string> = {
  dockerd: 'docker.io',
  debootstrap: 'debootstrap',
};

export function missingPackages(): string[] {
  return Object.entries(REQUIRED)
    .filter(([executable]) => findExecutable(executable) === undefined)
    .map(([, pkg]) => pkg);
}

/** Installs what is missing; refreshes the package lists only if the first attempt fails. */
export async function ensureHostPackages(): Promise<string[]> {
  const missing = missingPackages();
  if (missing.length === 0) return [];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
  try {
    await install();
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    await run('apt-get', ['update', '-qq'], { env });
    await install();
  }
  return missing;
}
