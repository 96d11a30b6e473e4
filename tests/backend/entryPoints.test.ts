/**
 * The entry points refuse a bad environment with a message naming the variable,
 * and exit 2; the npm scripts and the image run them as the components do.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { serviceCommand } from '../../backend/config/entryPoints';
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

describe('service commands', function () {
  const repo = path.resolve(__dirname, '..', '..', '..');

  it('the npm start scripts and the backend image run the commands the components give containers', function () {
    const scripts = (JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    assert.equal(scripts['start:gateway'], serviceCommand('gateway').join(' '));
    assert.equal(scripts['start:engine'], serviceCommand('engine').join(' '));
    assert.equal(scripts.migrate, serviceCommand('migrate').join(' '));
    const dockerfile = fs.readFileSync(path.join(repo, 'backend', 'Dockerfile'), 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
    assert.ok(cmd, 'backend/Dockerfile has a CMD in JSON form');
    assert.deepEqual(JSON.parse(cmd[1]), serviceCommand('gateway'));
  });
});
