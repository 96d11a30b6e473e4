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
 * Sends commands for a shard's stream in as few calls as the load
 * allows: at most one call per stream is in flight, and the commands that
 * arrive meanwhile go together in the next one, as ONE stream entry. Idle,
 * a command leaves at the end of its event-loop turn; under load each call
 * carries what arrived during the previous call's round trip. One Redis
 * operation for many orders costs Redis, ioredis and the engine far less
 * than one or more per order. A call is the claim script when a command
 * carries a claim, a plain XADD otherwise.
 */
export class CommandBatcher {
  private readonly streams = new Map<string, StreamQueue>();

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
      let queue = this.streams.get(stream);
      if (queue === undefined) {
        queue = { waiting: [], inFlight: 0, scheduled: false };
        this.streams.set(stream, queue);
      }
      queue.waiting.push({
        envelope: JSON.stringify(envelope),
        claim,
        settle: (previousClaim, error) => (error === undefined ? resolve(previousClaim) : reject(error)),
      });
      // A full entry leaves at once, even beside a call in flight (calls on one connection keep their order).
      if (queue.waiting.length >= MAX_COMMANDS_PER_ENTRY) this.enqueue(stream, queue);
      else if (queue.inFlight === 0) this.schedule(stream, queue);
    });
  }

  /** After this turn's I/O callbacks, so that every request parsed in this turn joins the entry. */
  private schedule(stream: string, queue: StreamQueue): void {
    if (queue.scheduled) return;
    queue.scheduled = true;
    setImmediate(() => {
      queue.scheduled = false;
      if (queue.inFlight === 0 && queue.waiting.length > 0) this.enqueue(stream, queue);
    });
  }

  private enqueue(stream: string, queue: StreamQueue): void {
    const commands = queue.waiting;
    queue.waiting = [];
    queue.inFlight++;
    const settled = () => {
      queue.inFlight--;
      if (queue.inFlight === 0 && queue.waiting.length > 0) this.schedule(stream, queue);
    };
    const claimed = commands.flatMap((command) => (command.claim ? [command.claim.key] : []));
    const call = claimed.length === 0 ? this.append(stream, commands) : this.claimAndAppend(stream, commands);
    call.then(
      (answers) => {
        settled();
        commands.forEach((command, i) => command.settle(answers === undefined || answers[i] === '' ? undefined : answers[i]));
      },
      (error: unknown) => {
        settled();
        // The script may have stopped after taking some claims: release them so that retries can go through.
        if (claimed.length > 0) this.redis.del(...claimed).catch(() => undefined);
        commands.forEach((command) => command.settle(undefined, error));
      },
    );
  }

  /** Nothing to claim: the same entry as the script's, by a plain XADD (cheaper for Redis and ioredis than a script call). */
  private async append(stream: string, commands: PendingCommand[]): Promise<undefined> {
    await this.redis.xadd(stream, '*', PAYLOAD_FIELD, `[${commands.map((command) => command.envelope).join(',')}]`);
    return undefined;
  }

  private claimAndAppend(stream: string, commands: PendingCommand[]): Promise<string[]> {
    const keys = [stream];
    const args: (string | number)[] = [commands.find((command) => command.claim)?.claim?.ttlSeconds ?? 0];
    for (const { envelope, claim } of commands) {
      if (claim !== undefined) keys.push(claim.key);
      args.push(claim === undefined ? 0 : keys.length, claim?.value ?? '', envelope);
    }
    return this.redis.claimAndEnqueue(keys.length, ...keys, ...args);
  }
}

interface StreamQueue {
  /** Commands not sent yet, in arrival order. */
  waiting: PendingCommand[];
  /** Script calls for this stream awaiting their answer. */
  inFlight: number;
  /** A flush is set for the end of this event-loop turn. */
  scheduled: boolean;
}
