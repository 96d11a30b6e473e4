/** The entry points refuse a bad environment with a message naming the variable, and exit 2. */
import { strict as assert } from 'node:assert';
import { ENTRY_POINTS, spawnService } from '../harness/services';

const GOOD = {
  REDIS_URL: 'redis://127.0.0.1:1',
  DATABASE_URL: 'postgres://hft@127.0.0.1:1/hft',
};

describe('entry points with a bad environment', function () {
  const cases: { entry: keyof typeof ENTRY_POINTS; env: Record<string, string>; names: RegExp }[] = [
    { entry: 'gateway', env: { DATABASE_URL: GOOD.DATABASE_URL }, names: /REDIS_URL is not set/ },
    { entry: 'gateway', env: { ...GOOD, PORT: 'eighty' }, names: /PORT="eighty" must be an integer/ },
    { entry: 'gateway', env: { ...GOOD, WORKERS: '0' }, names: /WORKERS="0"/ },
    { entry: 'gateway', env: { ...GOOD, SYMBOLS: 'AAPL:0' }, names: /SYMBOLS/ },
    { entry: 'engine', env: { ...GOOD, ENGINE_SHARDS: '2', SHARD: '2' }, names: /SHARD=2 must be below ENGINE_SHARDS=2/ },
    { entry: 'engine', env: { ...GOOD, LOG_LEVEL: 'loud' }, names: /LOG_LEVEL="loud"/ },
    { entry: 'migrate', env: { DATABASE_URL: 'mysql://x' }, names: /DATABASE_URL must use postgres/ },
  ];
  for (const { entry, env, names } of cases) {
    it(`${entry}: ${names.source}`, async function () {
      const service = spawnService(ENTRY_POINTS[entry], env);
      assert.deepEqual(await service.exited, { code: 2, signal: null });
      assert.match(service.output(), names);
    });
  }
});
