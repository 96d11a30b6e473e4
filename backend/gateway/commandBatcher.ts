import type { Redis, Result } from 'ioredis';
import { CommandEnvelope, PAYLOAD_FIELD } from '../streams';

/** Commands per stream entry at most (the engine's batches are counted in entries). */
export const MAX_COMMANDS_PER_ENTRY = 128;

/** An idempotency claim to take before the command is enqueued. */
export interface Claim {
  key: string;
  /** Stored under `key` for later requests to find: `${orderId} ${fingerprint}`. */
  value: string;
  ttlSeconds: number;
}

/**
 * Claims the idempotency keys and enqueues, in one atomic step, the commands
 * whose claim succeeded (or that carry none) as ONE stream entry. Returns,
 * per command, '' when enqueued or the claim already held by an earlier order.
 *
 * KEYS: the stream, then the claimed keys. ARGV: the claims' TTL, then per
 * command (index of its key in KEYS or 0, claim value, envelope JSON).
 */
const CLAIM_AND_ENQUEUE_LUA = `
local answers = {}
local accepted = {}
for i = 0, (#ARGV - 1) / 3 - 1 do
  local keyIndex = tonumber(ARGV[2 + 3 * i])
  local previous = false
  if keyIndex > 0 then
    previous = redis.call('SET', KEYS[keyIndex], ARGV[3 + 3 * i], 'NX', 'GET', 'EX', ARGV[1])
  end
  if previous then
    answers[i + 1] = previous
  else
    answers[i + 1] = ''
    accepted[#accepted + 1] = ARGV[4 + 3 * i]
  end
end
if #accepted > 0 then
  redis.call('XADD', KEYS[1], '*', '${PAYLOAD_FIELD}', '[' .. table.concat(accepted, ',') .. ']')
end
return answers`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    claimAndEnqueue(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Result<string[], Context>;
  }
}

interface PendingCommand {
  envelope: string;
  claim?: Claim;
  settle(previousClaim: string | undefined, error?: unknown): void;
}

/**
 * Sends the commands that arrive in the same event-loop turn for the same
 * shard in ONE script call and ONE stream entry: under load many requests are
 * parsed per turn, and one Redis operation for all of them costs Redis,
 * ioredis and the engine far less than two or three each.
 */
export class CommandBatcher {
  private readonly pending = new Map<string, PendingCommand[]>();
  private scheduled = false;

  constructor(private readonly redis: Redis) {
    redis.defineCommand('claimAndEnqueue', { lua: CLAIM_AND_ENQUEUE_LUA });
  }

  /**
   * Enqueues `envelope` on `stream` after taking `claim`, if any. Resolves to
   * undefined once enqueued, or to the value of the claim an earlier request
   * holds (then nothing is enqueued).
   */
  send(stream: string, envelope: CommandEnvelope, claim?: Claim): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      let commands = this.pending.get(stream);
      if (commands === undefined) {
        commands = [];
        this.pending.set(stream, commands);
      }
      commands.push({
        envelope: JSON.stringify(envelope),
        claim,
        settle: (previousClaim, error) => (error === undefined ? resolve(previousClaim) : reject(error)),
      });
      if (commands.length >= MAX_COMMANDS_PER_ENTRY) {
        this.pending.delete(stream);
        this.enqueue(stream, commands);
      } else if (!this.scheduled) {
        this.scheduled = true;
        // After this turn's I/O callbacks: every request parsed in this turn joins the entry.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    for (const [stream, commands] of this.pending) this.enqueue(stream, commands);
    this.pending.clear();
  }

  private enqueue(stream: string, commands: PendingCommand[]): void {
    const keys = [stream];
    const args: (string | number)[] = [commands.find((command) => command.claim)?.claim?.ttlSeconds ?? 0];
    for (const { envelope, claim } of commands) {
      if (claim !== undefined) keys.push(claim.key);
      args.push(claim === undefined ? 0 : keys.length, claim?.value ?? '', envelope);
    }
    this.redis.claimAndEnqueue(keys.length, ...keys, ...args).then(
      (answers) => commands.forEach((command, i) => command.settle(answers[i] === '' ? undefined : answers[i])),
      (error: unknown) => {
        // The script may have stopped after taking some claims: release them so that retries can go through.
        const claimed = commands.flatMap((command) => (command.claim ? [command.claim.key] : []));
        if (claimed.length > 0) this.redis.del(...claimed).catch(() => undefined);
        commands.forEach((command) => command.settle(undefined, error));
      },
    );
  }
}
