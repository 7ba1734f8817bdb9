import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every package installed under `dir`, named as package-lock.json names them
 * ("node_modules/a", "node_modules/@s/b", "libs/platform/node_modules/fastify",
 * "node_modules/a/node_modules/c"), for comparing an install with the lockfile.
 */
export function installedPackages(dir: string, workspaces: string[] = []): string[] {
  const found: string[] = [];
  const visit = (modules: string) => {
    const absolute = join(dir, modules);
    if (!existsSync(absolute)) return;
    for (const entry of readdirSync(absolute)) {
      if (entry.startsWith('.')) continue; // .bin, .package-lock.json
      const names = entry.startsWith('@') ? readdirSync(join(absolute, entry)).map((n) => `${entry}/${n}`) : [entry];
      for (const name of names) {
        const path = `${modules}/${name}`;
        found.push(path);
        // A workspace link's own node_modules is visited as that workspace.
        if (!lstatSync(join(dir, path)).isSymbolicLink()) visit(`${path}/node_modules`);
      }
    }
  };
  visit('node_modules');
  for (const workspace of workspaces) visit(`${workspace}/node_modules`);
  return found.sort();
}
