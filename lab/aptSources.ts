/**
 * The Debian mirror the host's apt is configured with: the lab's base image is
 * bootstrapped from it and its images install from it, since no image
 * registry is reachable.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface AptSource {
  uri: string;
  suite: string;
  components: string[];
}

const RELEASE = 'bookworm';
const DEBIAN_COMPONENTS = new Set(['main', 'contrib', 'non-free', 'non-free-firmware']);

/** One-line format: `deb [options] uri suite component…`. */
export function parseOneLineSources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').replace(/\[[^\]]*\]/, ' ').trim();
    const [type, uri, suite, ...components] = line.split(/\s+/);
    if (type === 'deb' && uri && suite) sources.push({ uri, suite, components });
  }
  return sources;
}

/** deb822 format: stanzas of `Field: value`, separated by blank lines. */
export function parseDeb822Sources(text: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (match && !line.startsWith('#')) fields.set(match[1].toLowerCase(), match[2].trim());
    }
    if (fields.get('enabled') === 'no' || !(fields.get('types') ?? '').split(/\s+/).includes('deb')) continue;
    const components = (fields.get('components') ?? '').split(/\s+/).filter(Boolean);
    for (const uri of (fields.get('uris') ?? '').split(/\s+/).filter(Boolean)) {
      for (const suite of (fields.get('suites') ?? '').split(/\s+/).filter(Boolean)) {
        sources.push({ uri, suite, components });
      }
    }
  }
  return sources;
}

export function readHostAptSources(root = '/etc/apt'): AptSource[] {
  const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
  const dir = path.join(root, 'sources.list.d');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  return [
    ...parseOneLineSources(read(path.join(root, 'sources.list'))),
    ...files.filter((f) => f.endsWith('.list')).flatMap((f) => parseOneLineSources(read(path.join(dir, f)))),
    ...files.filter((f) => f.endsWith('.sources')).flatMap((f) => parseDeb822Sources(read(path.join(dir, f)))),
  ];
}

/** The host's Debian bookworm sources (release, updates, security), Debian components only. */
export function debianSources(sources: AptSource[]): AptSource[] {
  return sources
    .filter((s) => s.suite === RELEASE || s.suite.startsWith(`${RELEASE}-`))
    .map((s) => ({ ...s, components: s.components.filter((c) => DEBIAN_COMPONENTS.has(c)) }))
    .filter((s) => s.components.length > 0);
}

/** The mirror that serves the release itself: what debootstrap installs from. */
export function debianMirror(sources: AptSource[]): string {
  const release = debianSources(sources).find((s) => s.suite === RELEASE);
  if (!release) throw new Error(`no apt source for Debian ${RELEASE} on this host (looked in /etc/apt)`);
  return release.uri;
}

export function renderSourcesList(sources: AptSource[]): string {
  return debianSources(sources)
    .map((s) => `deb ${s.uri} ${s.suite} ${s.components.join(' ')}\n`)
    .join('');
}
