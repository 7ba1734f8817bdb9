import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { ROOT } from '../src/root';

type Sink = { write(chunk: string): void; close(): void };

describe('npm start: what the embedded PostgreSQL prints in the terminal', () => {
  it('shows real errors with their details, not the refusals a sale provokes by the thousand', async () => {
    const { createLogSink } = (await import(pathToFileURL(join(ROOT, 'scripts/lib/embedded-pg.mjs')).href)) as { createLogSink(file: string, forward: (l: string) => void): Sink };
    const dir = mkdtempSync(join(tmpdir(), 'etsr-pglog-'));
    try {
      const shown: string[] = [];
      const sink = createLogSink(join(dir, 'postgres.log'), (l) => shown.push(l));
      sink.write(
        [
          '2026-12-04 18:00:00.000 UTC [101] EA004 ERROR:  seats unavailable',
          '2026-12-04 18:00:00.000 UTC [101] EA004 DETAIL:  103,104',
          '2026-12-04 18:00:00.000 UTC [101] EA004 STATEMENT:  SELECT reserve_seats($1, $2)',
          '2026-12-04 18:00:00.001 UTC [102] 23505 ERROR:  duplicate key value violates unique constraint "x"',
          '2026-12-04 18:00:00.002 UTC [103] 53300 FATAL:  sorry, too many clients already',
          '2026-12-04 18:00:00.002 UTC [103] 53300 HINT:  raise max_connections',
          '',
        ].join('\n'),
      );
      assert.deepEqual(shown, ['[postgres] 2026-12-04 18:00:00.002 UTC [103] 53300 FATAL:  sorry, too many clients already', '[postgres] 2026-12-04 18:00:00.002 UTC [103] 53300 HINT:  raise max_connections']);
      sink.close();
      await new Promise((r) => setTimeout(r, 50));
      assert.match(readFileSync(join(dir, 'postgres.log'), 'utf8'), /EA004 ERROR:  seats unavailable/, 'the log file keeps everything');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
