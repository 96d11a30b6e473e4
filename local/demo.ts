/**
 * `npm run demo -- [local:up flags]`: the main job in one command. Starts the
 * local stack (4 gateways by default), runs a 20 s load test through nginx,
 * prints its report and stops the stack again, also when something fails or
 * on Ctrl-C.
 */
import { main as loadTest } from '../loadtest/cli';
import { parseUpFlags, UpFlags, USAGE } from './cli';
import { UsageError } from './flags';
import { stackPaths } from './paths';
import { downStack, upStack } from './stack';

const DEMO_DURATION = '20s';

const say = (line: string) => process.stderr.write(`demo: ${line}\n`);

async function demo(flags: UpFlags, signal: AbortSignal): Promise<number> {
  try {
    await upStack({ ...flags, onStep: say, signal });
  } catch (error) {
    // A stack that was already running is not ours to stop; upStack has already stopped a half-started one.
    say(`error: ${(error as Error).message}`);
    return 1;
  }
  try {
    signal.throwIfAborted();
    return await loadTest(['--outputs', stackPaths(flags.dir).outputsFile, '--duration', DEMO_DURATION], signal);
  } finally {
    say('stopping the stack');
    const { stopped } = await downStack(flags.dir);
    say(`stopped ${stopped.length} processes; data kept in ${flags.dir} (npm run local:down -- --purge deletes it)`);
  }
}

if (require.main === module) {
  let flags: UpFlags;
  try {
    flags = parseUpFlags(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`demo: ${error.message}\n\nnpm run demo takes the flags of local:up:\n${USAGE}\n`);
    process.exit(2);
  }
  // Ctrl-C stops the start-up or ends the load test early; the stack is stopped either way.
  const interrupt = new AbortController();
  process.on('SIGINT', () => interrupt.abort(new Error('interrupted')));
  demo(flags, interrupt.signal).then(
    (code) => process.exit(code),
    (error) => {
      say(`error: ${(error as Error).stack ?? error}`);
      process.exit(1);
    },
  );
}
