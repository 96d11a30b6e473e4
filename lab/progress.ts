/** One progress line per lab step, with how long it took. */

export type Log = (line: string) => void;

export const consoleLog: Log = (line) => process.stdout.write(`${line}\n`);

export async function step<T>(log: Log, title: string, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  log(`lab: ${title} …`);
  try {
    const result = await run();
    log(`lab: ${title}: done in ${seconds(started)}`);
    return result;
  } catch (error) {
    log(`lab: ${title}: FAILED after ${seconds(started)}`);
    throw error;
  }
}

export function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
