import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { parseCommandLine } from './commandValidation';
import type { Command } from './types';

/** Why a command file cannot be replayed: unreadable, or a line that is not a command. */
export class CommandFileError extends Error {}

const NEWLINE = 0x0a;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Every command of a JSON-lines file, parsed up front (so that replay times
 * matching alone). Blank lines are skipped; the first line that is not a JSON
 * object with a known op stops everything, named by its line number.
 */
export function readCommandFile(path: string): Command[] {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new CommandFileError(`cannot read ${path}: ${why}`);
  }
  const commands: Command[] = [];
  // Lines are cut from the buffer one by one: a whole file as one string would cap its size at V8's string limit.
  let lineNumber = 0;
  // A UTF-8 byte order mark (some editors and Windows tools write one) is not part of the first line.
  const firstLineStart = content.subarray(0, 3).equals(UTF8_BOM) ? UTF8_BOM.length : 0;
  for (let start = firstLineStart; start < content.length; ) {
    const newline = content.indexOf(NEWLINE, start);
    const end = newline === -1 ? content.length : newline;
    lineNumber++;
    const line = content.toString('utf8', start, end);
    start = end + 1;
    if (line.trim() === '') continue;
    const parsed = parseCommandLine(line);
    if (!parsed.ok) throw new CommandFileError(`${path}:${lineNumber}: malformed command: ${parsed.error}`);
    commands.push(parsed.command);
  }
  return commands;
}

/** Lines joined into one string per write: the whole file as one string would be capped at V8's string limit (about 4M commands). */
export const WRITE_LINES = 16_384;

/** Writes `commands` as the JSON-lines file `readCommandFile` reads, replacing any file at `path`. */
export function writeCommandFile(path: string, commands: readonly Command[]): void {
  const file = openSync(path, 'w');
  try {
    for (let start = 0; start < commands.length; start += WRITE_LINES) {
      let chunk = '';
      for (let i = start; i < Math.min(start + WRITE_LINES, commands.length); i++) chunk += JSON.stringify(commands[i]) + '\n';
      const bytes = Buffer.from(chunk);
      for (let written = 0; written < bytes.length; ) written += writeSync(file, bytes, written);
    }
  } finally {
    closeSync(file);
  }
}
