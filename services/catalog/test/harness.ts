import { Role, RunningApp } from '@etsr/platform';
import { TestDatabase, client, createMigratedTestDatabase, devServiceToken, devUserToken, query } from '@etsr/platform/testing';
import { startCatalogService } from '../src/bootstrap';
import { database as catalogDatabase } from '../src/database';

export type Api = ReturnType<typeof client>;

export function accessToken(role: Role, userId = role === 'ADMIN' ? 1 : 2, expiresInSeconds = 3600): string {
  return devUserToken(userId, role, { username: role === 'ADMIN' ? 'admin' : 'alice_johnson', expiresInSeconds });
}

export const ADMIN_TOKEN = accessToken('ADMIN');
export const USER_TOKEN = accessToken('USER');
/** An admin token that expired a minute ago. */
export const EXPIRED_ADMIN_TOKEN = accessToken('ADMIN', 1, -60);
/** A valid credential of another service (order) addressed to catalog: not a user, so no admin either. */
export const SERVICE_TOKEN = devServiceToken('order', 'catalog');

export interface CatalogServiceUnderTest {
  url: string;
  api: Api;
  db: TestDatabase;
  app: RunningApp;
  /** Runs SQL on the service's database (test set-up and checks only). */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Stops the service and drops its database (unless the database was handed in). */
  stop(): Promise<void>;
}

export interface TestOptions {
  env?: Record<string, string>;
  /** Run on this database instead of a fresh one (a second replica); it is left in place on stop. */
  database?: TestDatabase;
}

/** The catalog service on a fresh database, listening on a free port; the availability sync off unless env sets SEATING_URL. */
export async function startCatalogServiceForTest(options: TestOptions = {}): Promise<CatalogServiceUnderTest> {
  const db = options.database ?? (await createMigratedTestDatabase('catalog', catalogDatabase));
  let app: RunningApp;
  try {
    app = await startCatalogService({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: db.url,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      ...options.env,
    });
  } catch (e) {
    if (!options.database) await db.drop();
    throw e;
  }
  return {
    url: app.url,
    api: client(app.url),
    db,
    app,
    sql: (text, params) => query(db.url, text, params),
    stop: async () => {
      await app.close();
      if (!options.database) await db.drop();
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export { eventually } from '@etsr/platform/testing';
