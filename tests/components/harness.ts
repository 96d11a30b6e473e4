/**
 * The program under mocks for a config given as the text Pulumi would hand
 * it, and look-ups that read like the resource graph.
 */
import { ConfigSource, readStackConfig, StackConfig } from '../../components/config';
import { deployUnderMocks, MockedDeployment, MockedResource } from '../../components/preview/mockDeployment';

export interface StackRun extends MockedDeployment {
  config: StackConfig;
}

export function configSource(values: Record<string, string | number | boolean>): ConfigSource {
  return { get: (key) => (key in values ? String(values[key]) : undefined) };
}

export async function runStack(values: Record<string, string | number | boolean>): Promise<StackRun> {
  const config = readStackConfig(configSource(values));
  return { config, ...(await deployUnderMocks(config)) };
}

export function ofType(run: StackRun, type: string): MockedResource[] {
  return run.resources.filter((resource) => resource.type === type);
}

export function named(run: StackRun, type: string, name: string): MockedResource {
  const found = run.resources.find((resource) => resource.type === type && resource.name === name);
  if (!found) throw new Error(`no ${type} named ${name}; have ${ofType(run, type).map((r) => r.name).join(', ') || 'none'}`);
  return found;
}
