import { Redis, RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/**
 * A Redis connection as the services use it: RESP2, whose XREAD/XREADGROUP
 * replies have the classic [[stream, entries]] shape (ioredis defaults to
 * RESP3, which flattens them to [stream, entries]); errors are logged (ioredis
 * reconnects by itself) instead of being unhandled events.
 */
export function connectRedis(url: string, connectionName: string, logger: Logger, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, { ...options, connectionName, protocol: 2 });
  redis.on('error', (error) => logger.debug({ err: error.message, connection: connectionName }, 'Redis connection error'));
  return redis;
}

/**
 * What a blocking command is raced against: a command queued while Redis is
 * down is not rejected by `disconnect()`, so stopping must not wait for it.
 *
 * Not `Promise.race([command, stopped])`: every such race leaves a reaction
 * on the long-lived `stopped` promise that keeps the race's result (a whole
 * stream reply) reachable until the process stops, a leak of every reply
 * read. Here a race forgets its stop callback as soon as its command settles.
 */
export class StopSignal {
  private stopped = false;
  private readonly racing = new Set<() => void>();

  stop(): void {
    this.stopped = true;
    for (const resolveUndefined of this.racing) resolveUndefined();
    this.racing.clear();
  }

  /** Races waiting for their command; each is forgotten once its command settles. */
  get pendingRaces(): number {
    return this.racing.size;
  }

  /** `command`'s result, or `undefined` once stopped. */
  race<T>(command: Promise<T>): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve, reject) => {
      if (this.stopped) {
        resolve(undefined);
        // Settling later changes nothing, but a rejection must not go unhandled.
        command.catch(() => undefined);
        return;
      }
      const resolveUndefined = () => resolve(undefined);
      this.racing.add(resolveUndefined);
      command.then(
        (value) => {
          this.racing.delete(resolveUndefined);
          resolve(value);
        },
        (error: unknown) => {
          this.racing.delete(resolveUndefined);
          reject(error);
        },
      );
    });
  }
}
