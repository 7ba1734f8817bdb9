import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, describe, it } from 'node:test';
import * as semver from 'semver';
import { ROOT } from '../src/root';

/**
 * The supported Node.js range (package.json engines, stated in README.md): npm start and npm test
 * enforce exactly it, and every installed package accepts every version in it, so `npm ci` on any
 * supported Node prints no EBADENGINE warning.
 */
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const RANGE = pkg.engines.node;
type Lockfile = { packages: Record<string, { version?: string; engines?: { node?: string } | string[]; dev?: boolean }> };
const lockfile = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as Lockfile;

/** The oldest release of each line the range admits (`^20.19.0 || >=24` → 20.19.0, 24.0.0). */
const lineFloors = (range: string) => new semver.Range(range).set.map((comparators) => semver.minVersion(new semver.Range(comparators.map((c) => c.value).join(' ')))!.version);

let satisfiesRange: (version: string, range: string) => boolean;
before(async () => {
  ({ satisfiesRange } = (await import(pathToFileURL(join(ROOT, 'scripts/lib/node-versions.mjs')).href)) as { satisfiesRange: typeof satisfiesRange });
});

describe('supported Node.js versions', () => {
  it('the range admits the maintained LTS lines 24 and 26, and the lockfile records it', () => {
    for (const version of ['24.0.0', '26.0.0', '26.9.0']) assert.ok(semver.satisfies(version, RANGE), `${version} is outside ${RANGE}`);
    assert.equal((lockfile.packages[''] as { engines?: { node?: string } }).engines?.node, RANGE, 'package-lock.json: run npm install after changing engines');
  });

  it('npm start and npm test accept exactly the versions npm does (scripts/lib/node-versions.mjs)', () => {
    const probes = ['18.20.0', '20.11.0', '20.18.9', '20.19.0', '20.20.2', '21.7.3', '22.11.0', '22.12.0', '23.11.0', '24.0.0', '25.2.0', '26.9.0', '30.0.0', ...lineFloors(RANGE)];
    for (const version of probes) assert.equal(satisfiesRange(version, RANGE), semver.satisfies(version, RANGE), `${version} in ${RANGE}`);
    assert.throws(() => satisfiesRange('24.0.0', '~24.1'), /only \^X\.Y\.Z and >=X\.Y\.Z/);
  });

  it('every package of package-lock.json accepts the oldest version of each supported line (no EBADENGINE)', () => {
    const floors = lineFloors(RANGE);
    assert.ok(floors.length > 0);
    const refusals: string[] = [];
    for (const [path, entry] of Object.entries(lockfile.packages)) {
      const wanted = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (!path || !wanted) continue;
      for (const floor of floors) {
        if (!semver.satisfies(floor, wanted)) refusals.push(`${path.replace(/^.*node_modules\//, '')}@${entry.version} wants node ${wanted}, not ${floor}${entry.dev ? ' (dev)' : ''}`);
      }
    }
    assert.deepEqual(refusals, []);
  });

  it('README.md states the range', () => {
    assert.ok(readFileSync(join(ROOT, 'README.md'), 'utf8').includes(`\`${RANGE}\``), `README.md does not name \`${RANGE}\``);
  });
});
