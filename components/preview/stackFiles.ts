/**
 * Reads the config the Pulumi CLI would give the program for a stack:
 * Pulumi.<stack>.yaml's values over Pulumi.yaml's defaults.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ConfigSource } from '../config';

export interface ProjectFile {
  name: string;
  runtime: string | { name: string; options?: Record<string, unknown> };
  config: Record<string, { type?: string; default?: unknown; description?: string }>;
}

function readYaml(file: string): unknown {
  try {
    return parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${file} does not exist`);
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

export function readProjectFile(dir: string): ProjectFile {
  const project = readYaml(path.join(dir, 'Pulumi.yaml')) as ProjectFile;
  return { name: project.name, runtime: project.runtime, config: project.config ?? {} };
}

/** Pulumi.<stack>.yaml's config, keyed without the project namespace. */
export function readStackValues(dir: string, stack: string, project: string): Record<string, unknown> {
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  const values = ((readYaml(file) as { config?: Record<string, unknown> } | null)?.config ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => {
      if (typeof value === 'object' && value !== null && 'secure' in value) {
        throw new Error(`${file}: ${key} is encrypted; only the Pulumi CLI can read it`);
      }
      return [key.startsWith(`${project}:`) ? key.slice(project.length + 1) : key, value];
    }),
  );
}

/** The stack's values over the project's defaults, as the text Pulumi hands a program. */
export function stackConfigSource(dir: string, stack: string): ConfigSource {
  const project = readProjectFile(dir);
  const values = readStackValues(dir, stack, project.name);
  return {
    get(key) {
      const value = key in values ? values[key] : project.config[key]?.default;
      return value === undefined ? undefined : String(value);
    },
  };
}
