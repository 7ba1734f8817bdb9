import { Client } from 'pg';

/**
 * One statement on its own connection to the database at `url` (test set-up and checks only).
 * `setup` (e.g. a SET) runs first on that connection; `applicationName` lets a test tell its own
 * statements from the service's.
 */
export async function query<T = Record<string, unknown>>(
  url: string,
  text: string,
  params: unknown[] = [],
  options: { setup?: string; applicationName?: string } = {},
): Promise<T[]> {
  const pg = new Client({ connectionString: url, application_name: options.applicationName });
  await pg.connect();
  try {
    if (options.setup) await pg.query(options.setup);
    return (await pg.query(text, params)).rows as T[];
  } finally {
    await pg.end();
  }
}
