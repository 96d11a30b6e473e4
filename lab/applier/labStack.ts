/**
 * The lab stack: Pulumi.lab.yaml over Pulumi.yaml's defaults, as the Pulumi
 * CLI would hand them to the program, with the lab's command-line overrides.
 */
import { readStackConfig, StackConfig } from '../../components';
import { stackConfigSource } from '../../components/preview/stackFiles';

export const LAB_STACK = 'lab';

/** Label on everything the lab creates on its engine; the value says which run (the stack, a test). */
export const LAB_OWNER_LABEL = 'hft-lab.owner';
export const LAB_STACK_LABELS = { [LAB_OWNER_LABEL]: `stack-${LAB_STACK}` };

export interface LabOverrides {
  backendCount?: number;
}

export function readLabStackConfig(projectDir: string, overrides: LabOverrides = {}): StackConfig {
  const stackFile = stackConfigSource(projectDir, LAB_STACK);
  const values: Record<string, string | undefined> = {
    backendCount: overrides.backendCount === undefined ? undefined : String(overrides.backendCount),
  };
  const config = readStackConfig({ get: (key) => values[key] ?? stackFile.get(key) });
  if (config.target !== 'docker') throw new Error(`Pulumi.${LAB_STACK}.yaml must set target: docker (got ${config.target})`);
  return config;
}
