import { RunningApp } from '@etsr/platform';
import { TestDatabase, client, createMigratedTestDatabase, devServiceToken, devUserToken } from '@etsr/platform/testing';
import { startSeatingService } from '../src/bootstrap';
import { database as seatingDatabase } from '../src/database';

export const userToken = (userId: number, role: 'USER' | 'ADMIN' = 'USER') => devUserToken(userId, role);
export const adminToken = () => userToken(1, 'ADMIN');
/** A credential another platform service (order, by default) would send to seating. */
export const serviceToken = (from = 'order') => devServiceToken(from, 'seating');

export interface SeatingUnderTest {
  url: string;
  api: ReturnType<typeof client>;
  db: TestDatabase;
  app: RunningApp;
  stop(): Promise<void>;
}

/** The seating service on a fresh database (or `db`, to run a second replica on it), on a free port. */
export async function startSeatingForTest(env: Record<string, string> = {}, db?: TestDatabase): Promise<SeatingUnderTest> {
  const database = db ?? (await createMigratedTestDatabase('seating', seatingDatabase));
  const app = await startSeatingService({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    DB_POOL_SIZE: '20',
    ...env,
  });
  return {
    url: app.url,
    api: client(app.url),
    db: database,
    app,
    stop: async () => {
      await app.close();
      if (!db) await database.drop();
    },
  };
}
