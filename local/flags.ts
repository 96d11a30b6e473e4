/**
 * Command-line flag helpers shared by the local stack's and the load tester's CLIs (parsing itself is
 * node:util parseArgs), and the environment settings of the benches configured by variables.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatSymbols, parseSymbols, SymbolConfigError } from '../backend/config/symbols';

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
 * `--symbols`: a `SYMBOLS` list (SYMBOL or SYMBOL:TICK, comma separated),
 * checked as the services will read it, and returned without spaces.
 */
export function symbolsFlag(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  // parseSymbols reads an empty list as "the default": on the command line it is a mistake.
  if (text.trim() === '') throw new UsageError('--symbols is empty: give SYMBOL or SYMBOL:TICK, comma separated');
  try {
    return formatSymbols(parseSymbols(text));
  } catch (error) {
    if (!(error instanceof SymbolConfigError)) throw error;
    throw new UsageError(`--symbols: ${error.message}`);
  }
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

/** An integer from the environment variable `name`, or `fallback` when it is unset or empty; anything else is a UsageError. */
export function integerSetting(name: string, fallback: number, min: number, max: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`${name}="${text}" must be an integer from ${min} to ${max}`);
  return value;
}

/** `name=value,…` from the environment variable `name` (e.g. extra PostgreSQL settings); a pair without `=` is a UsageError. */
export function pairsSetting(name: string): Record<string, string> {
  const entries: [string, string][] = [];
  for (const pair of (process.env[name] ?? '').split(',').filter((text) => text.trim() !== '')) {
    const equals = pair.indexOf('=');
    if (equals < 1) throw new UsageError(`${name}: "${pair}" is not name=value`);
    entries.push([pair.slice(0, equals), pair.slice(equals + 1)]);
  }
  return Object.fromEntries(entries);
}

/** A command set by environment variables alone refuses arguments, naming the variables: a flag would otherwise be ignored in silence. */
export function refuseArguments(args: readonly string[], variables: readonly string[]): void {
  if (args.length > 0) throw new UsageError(`takes no arguments (got "${args.join(' ')}"); it is set by environment variables: ${variables.join(', ')}`);
}
