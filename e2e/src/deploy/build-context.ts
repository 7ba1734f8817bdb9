import { existsSync, lstatSync, readFileSync, readdirSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import dockerignore from '@balena/dockerignore';

/**
 * The files of a Docker build context (a directory and its .dockerignore), as the builder sends
 * them: a path excluded by .dockerignore does not exist for COPY.
 */
export class BuildContext {
  private readonly ignore: ReturnType<typeof dockerignore>;

  constructor(readonly root: string) {
    const file = join(root, '.dockerignore');
    this.ignore = dockerignore({ ignorecase: false }).add(existsSync(file) ? readFileSync(file, 'utf8') : '');
  }

  /** Whether a path (relative to the context root, / separated) reaches the builder. */
  includes(path: string): boolean {
    const normal = posix.normalize(path).replace(/\/$/, '');
    return normal === '.' || !this.ignore.ignores(normal);
  }

  /**
   * The files under `path` (a file or directory, relative to the root) that the builder receives,
   * relative to the root. A directory that is itself excluded may still hold included files
   * (`!` patterns), so the walk looks inside every directory.
   */
  files(path: string): string[] {
    const absolute = join(this.root, path);
    if (!existsSync(absolute)) return [];
    const out: string[] = [];
    const walk = (dir: string) => {
      const rel = toPosix(relative(this.root, dir));
      if (lstatSync(dir).isDirectory()) {
        if (rel === '.git' || rel.endsWith('node_modules')) {
          // Never re-included here, and far too big to walk for nothing.
          if (!this.includes(rel)) return;
        }
        for (const entry of readdirSync(dir)) walk(join(dir, entry));
      } else if (this.includes(rel)) {
        out.push(rel);
      }
    };
    walk(absolute);
    return out.sort();
  }
}

function toPosix(path: string): string {
  return path.split(sep).join('/');
}
