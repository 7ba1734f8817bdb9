// The Node.js versions this repository supports: package.json's engines.node, read here so that
// npm start and npm test refuse an unsupported Node with the same range npm checks at install.
// Plain Node ESM without dependencies (it runs before anything is installed or built), so it
// understands only the two forms the range uses: `^X.Y.Z` and `>=X.Y.Z`, joined by `||`.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './common.mjs';

/** package.json's engines.node, e.g. `^20.19.0 || ^22.12.0 || >=24`. */
export function supportedNodeRange(root = repoRoot) {
  return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).engines.node;
}

const parse = (version) => {
  const parts = version.replace(/^v/, '').split('.');
  if (parts.length > 3 || parts.some((p) => !/^\d+$/.test(p))) throw new Error(`not a version: ${version}`);
  return [0, 1, 2].map((i) => Number(parts[i] ?? 0));
};
const compare = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** Whether `version` (`20.19.2` or `v20.19.2`) is in `range`; throws on a form it does not know. */
export function satisfiesRange(version, range) {
  const v = parse(version);
  return range.split('||').some((raw) => {
    const clause = raw.trim();
    if (clause.startsWith('>=')) return compare(v, parse(clause.slice(2))) >= 0;
    if (clause.startsWith('^')) {
      const min = parse(clause.slice(1));
      return compare(v, min) >= 0 && v[0] === min[0];
    }
    throw new Error(`engines.node clause "${clause}": only ^X.Y.Z and >=X.Y.Z are understood (scripts/lib/node-versions.mjs)`);
  });
}

/** Exits with a clear message when the running Node.js is not in the supported range. */
export function checkNodeVersion(range = supportedNodeRange()) {
  if (satisfiesRange(process.versions.node, range)) return;
  console.error(
    `This repository needs Node.js ${range} (package.json engines); you are running ${process.version} (${process.execPath}).\n` +
      'Install the current LTS, Node.js 24 or 26 (https://nodejs.org or nvm), and run the command again.',
  );
  process.exit(1);
}
