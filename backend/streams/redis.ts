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
 * A promise to race a blocking command against: a command queued while Redis
 * is down is not rejected by `disconnect()`, so stopping must not wait for it.
 */
export class StopSignal {
  private fire!: () => void;
  readonly stopped = new Promise<void>((resolve) => (this.fire = resolve));

  stop(): void {
    this.fire();
  }

  /** `command`'s result, or `undefined` once stopped. */
  race<T>(command: Promise<T>): Promise<T | undefined> {
    return Promise.race([command, this.stopped.then(() => undefined)]);
  }
}
