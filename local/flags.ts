/** Command-line flag helpers shared by the local stack's and the load tester's CLIs (parsing itself is node:util parseArgs). */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Bad flags: the CLIs print the message and their usage, and exit 2. */
export class UsageError extends Error {}

/** Runs parseArgs, turning its complaints (unknown flag, missing value) into usage errors. */
export function parseFlags<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function integerFlag(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`--${flag} "${text}" must be an integer from ${min} to ${max}`);
  return value;
}

export function positiveNumberFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${flag} "${text}" must be a positive number`);
  return value;
}

/**
 * A file name given on the command line, as an absolute path: a relative name
 * is taken from the folder the command was typed in (`npm run` moves to the
 * package's folder and leaves that one in INIT_CWD).
 */
export function fromTypingFolder(name: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), name);
}

/** A readable file named by a flag, as an absolute path (see fromTypingFolder). */
export function readableFileFlag(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const file = fromTypingFolder(text);
  let isFile = false;
  try {
    fs.accessSync(file, fs.constants.R_OK);
    isFile = fs.statSync(file).isFile();
  } catch {
    // Reported below, with the path as resolved.
  }
  if (!isFile) throw new UsageError(`--${flag} "${text}": no readable file at ${file}`);
  return file;
}
