/** The lab's image recipes' inputs, without an engine: apt sources, contexts, content hashes, tar entries. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { debianMirror, parseDeb822Sources, parseOneLineSources, renderSourcesList } from '../../lab/aptSources';
import { dockerignoreExcludes } from '../../lab/buildContext';
import { contentHash } from '../../lab/contentHash';
import { daemonArgs } from '../../lab/daemon';
import { labPaths } from '../../lab/paths';
import { tarOf } from '../../lab/tarFile';

const tempDirs: string[] = [];

/** A fresh folder, removed after the suite (also when a test fails). */
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hft-lab-test-'));
  tempDirs.push(dir);
  return dir;
}

describe('lab images: inputs', () => {
  after(() => {
    for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("reads the host's Debian mirror from deb822 and one-line sources, and writes the image's list", () => {
    const sources = [
      ...parseDeb822Sources(
        'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\n\n' +
          'Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main\n\n' +
          'Types: deb\nURIs: https://deb.nodesource.com/node_20.x\nSuites: nodistro\nComponents: main\n',
      ),
      ...parseOneLineSources('# comment\ndeb [arch=amd64] http://mirror.example/debian bookworm main contrib\ndeb-src http://x bookworm main\n'),
    ];
    assert.equal(debianMirror(sources), 'http://deb.debian.org/debian');
    assert.equal(
      renderSourcesList(sources),
      'deb http://deb.debian.org/debian bookworm main\n' +
        'deb http://deb.debian.org/debian bookworm-updates main\n' +
        'deb http://deb.debian.org/debian-security bookworm-security main\n' +
        'deb http://mirror.example/debian bookworm main contrib\n',
    );
    assert.throws(() => debianMirror(parseOneLineSources('deb http://x trixie main')), /no apt source for Debian bookworm/);
  });

  it('turns .dockerignore into anchored tar exclusions and refuses exceptions', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, '.dockerignore'), 'node_modules\n# comment\n/dist/\n\n.git\n');
    assert.deepEqual(dockerignoreExcludes(dir), ['--exclude=./node_modules', '--exclude=./dist', '--exclude=./.git']);
    fs.writeFileSync(path.join(dir, '.dockerignore'), 'dist\n!dist/keep\n');
    assert.throws(() => dockerignoreExcludes(dir), /exception patterns \(!dist\/keep\)/);
  });

  it('the repository .dockerignore keeps dependencies, outputs and state out of the backend context', () => {
    assert.deepEqual(dockerignoreExcludes(labPaths().repoRoot), [
      '--exclude=./node_modules',
      '--exclude=./dist',
      '--exclude=./.local',
      '--exclude=./.lab',
      '--exclude=./.git',
    ]);
  });

  it('names an image version by every file of its recipe and its extra inputs', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM base\n');
    const first = contentHash(dir, ['base:1']);
    assert.match(first, /^[0-9a-f]{12}$/);
    assert.equal(contentHash(dir, ['base:1']), first);
    assert.notEqual(contentHash(dir, ['base:2']), first);
    fs.writeFileSync(path.join(dir, 'entrypoint.sh'), '#!/bin/sh\n');
    assert.notEqual(contentHash(dir, ['base:1']), first);
  });

  it('writes tar entries the engine can extract: modes, nested and long paths', () => {
    const archive = tarOf([
      { path: '/etc/nginx/hft/nginx.conf', content: 'events {}\n' },
      { path: `opt/${'x'.repeat(120)}/run.sh`, content: '#!/bin/sh\n', mode: 0o744 },
    ]);
    const dir = tempDir();
    const untar = spawnSync('tar', ['-xf', '-', '-C', dir], { input: archive });
    assert.equal(untar.status, 0, untar.stderr.toString());
    assert.equal(fs.readFileSync(path.join(dir, 'etc/nginx/hft/nginx.conf'), 'utf8'), 'events {}\n');
    assert.equal(fs.statSync(path.join(dir, 'opt', 'x'.repeat(120), 'run.sh')).mode & 0o777, 0o744);
  });

  it('runs the private dockerd without touching the host network: no bridge, iptables or forwarding', () => {
    const args = daemonArgs(labPaths({ HFT_LAB_STATE_DIR: '/s', HFT_LAB_RUN_DIR: '/r' }));
    assert.ok(args.includes('--data-root=/s/docker') && args.includes('--host=unix:///r/docker.sock') && args.includes('--pidfile=/r/dockerd.pid'));
    for (const flag of ['--bridge=none', '--iptables=false', '--ip-forward=false', '--ip-masq=false']) assert.ok(args.includes(flag), flag);
  });
});
