/**
 * `.local/outputs.json`: the local stack described with the keys of the
 * Pulumi stack outputs, so the load tester reads either the same way, plus
 * the data tier's URLs for tools and tests that check the database directly.
 */
import * as fs from 'node:fs';
import type { StackOutputs } from '../loadtest/target';
import { StackPaths } from './paths';

/** A type alias rather than an interface, so that it fits BackendOutput's index signature. */
export type LocalBackend = { name: string; url: string };

export interface LocalOutputs extends StackOutputs {
  loadBalancerUrl: string;
  backendCount: number;
  backends: LocalBackend[];
  engineShards: number;
  symbols: string;
  target: 'local';
  databaseUrl: string;
  redisUrl: string;
}

export interface LocalOutputsInput {
  loadBalancerPort: number;
  gateways: Array<{ name: string; port: number }>;
  engineShards: number;
  symbols: string;
  databaseUrl: string;
  redisUrl: string;
}

export function localOutputs(input: LocalOutputsInput): LocalOutputs {
  return {
    loadBalancerUrl: `http://127.0.0.1:${input.loadBalancerPort}`,
    backendCount: input.gateways.length,
    backends: input.gateways.map((gateway) => ({ name: gateway.name, url: `http://127.0.0.1:${gateway.port}` })),
    engineShards: input.engineShards,
    symbols: input.symbols,
    target: 'local',
    databaseUrl: input.databaseUrl,
    redisUrl: input.redisUrl,
  };
}

export function writeLocalOutputs(paths: StackPaths, input: LocalOutputsInput): LocalOutputs {
  const outputs = localOutputs(input);
  fs.writeFileSync(paths.outputsFile, `${JSON.stringify(outputs, null, 2)}\n`);
  return outputs;
}

export function readLocalOutputs(paths: StackPaths): LocalOutputs {
  return JSON.parse(fs.readFileSync(paths.outputsFile, 'utf8')) as LocalOutputs;
}
