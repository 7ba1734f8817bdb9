// The benchmarks' database server: a throwaway embedded PostgreSQL in a temporary directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/lib/common.mjs';
import { startEmbeddedPostgres } from '../../scripts/lib/embedded-pg.mjs';

/**
 * Starts an embedded PostgreSQL on a free port, its data in a new temporary directory: { url,
 * dataDir (for postgresPids), stop() (which also removes the directory) }. `settings`: extra server
 * settings (name → value).
 */
export async function temporaryPostgres(prefix = 'etsr-bench-', settings = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  // The server runs as another user when we are root; it must reach its data directory.
  fs.chmodSync(tmp, 0o755);
  const port = await freePort();
  const dataDir = path.join(tmp, 'pg');
  console.log(`Starting an embedded PostgreSQL (127.0.0.1:${port}, data in ${tmp})…`);
  const server = await startEmbeddedPostgres({ dataDir, port, persistent: false, settings, log: () => undefined });
  return {
    url: server.url,
    dataDir,
    async stop() {
      await server.stop();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
