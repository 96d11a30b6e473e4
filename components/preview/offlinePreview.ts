/**
 * `npm run preview:offline -- --stack dev|prod`: runs the Pulumi program
 * under mocks with a stack file's config and prints the resource tree and the
 * outputs. Needs neither the Pulumi CLI nor Docker nor a cluster; a real
 * `pulumi preview` does.
 */
import * as path from 'node:path';
import { readStackConfig, StackConfigError } from '../config';
import { deployUnderMocks, MockedResource } from './mockDeployment';
import { stackConfigSource } from './stackFiles';

/** The repository root: this file compiles to dist/components/preview/. */
const PROJECT_DIR = path.resolve(__dirname, '..', '..', '..');

const USAGE = 'usage: npm run preview:offline -- [--stack NAME]   (reads Pulumi.yaml and Pulumi.NAME.yaml; default dev)';

function stackArgument(argv: string[]): string {
  if (argv.length === 0) return 'dev';
  if (argv.length === 2 && argv[0] === '--stack' && /^[A-Za-z0-9_.-]+$/.test(argv[1])) return argv[1];
  throw new Error(USAGE);
}

/** One line per resource, indented under its parent: type, then name. */
export function resourceTree(resources: MockedResource[]): string[] {
  const key = (type: string | undefined, name: string | undefined) => (type === undefined ? undefined : `${type}::${name}`);
  const children = new Map<string | undefined, MockedResource[]>();
  for (const resource of resources) {
    const parent = key(resource.parentType, resource.parent);
    children.set(parent, [...(children.get(parent) ?? []), resource]);
  }
  const rows: [string, string][] = [];
  const walk = (parent: string | undefined, depth: number): void => {
    for (const resource of children.get(parent) ?? []) {
      rows.push([`${'  '.repeat(depth)}${resource.type}`, resource.name]);
      walk(key(resource.type, resource.name), depth + 1);
    }
  };
  walk(undefined, 0);
  const width = Math.max(...rows.map(([type]) => type.length)) + 2;
  return rows.map(([type, name]) => `${type.padEnd(width)}${name}`);
}

async function main(): Promise<void> {
  const stack = stackArgument(process.argv.slice(2));
  const config = readStackConfig(stackConfigSource(PROJECT_DIR, stack));
  const deployment = await deployUnderMocks(config);
  console.log(`stack ${stack}: target ${config.target}, ${deployment.resources.length} resources (mocked: nothing was created)\n`);
  console.log(resourceTree(deployment.resources).join('\n'));
  console.log(`\noutputs:\n${JSON.stringify(deployment.outputs, null, 2)}`);
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(error instanceof StackConfigError ? error.message : `preview:offline: ${error.message}`);
    process.exit(error.message === USAGE ? 2 : 1);
  });
}
