import { DEV_DEFAULT_SECRETS, RunningApp, TokenService } from '@etsr/platform';
import { TestDatabase, client, createMigratedTestDatabase } from '@etsr/platform/testing';
import { startSeatingService } from '../src/bootstrap';
import { database as seatingDatabase } from '../src/database';

/** Tokens as the user service would issue them (same development secret), and service credentials. */
export const tokens = new TokenService(DEV_DEFAULT_SECRETS.JWT_SECRET, DEV_DEFAULT_SECRETS.SERVICE_SECRET, 'user');
export const userToken = (userId: number, role: 'USER' | 'ADMIN' = 'USER') =>
  tokens.signAccessToken({ userId, username: `user${userId}`, role }, 3600);
export const adminToken = () => userToken(1, 'ADMIN');
/** A credential another platform service (order, by default) would send to seating. */
export const serviceToken = (from = 'order') => new TokenService(DEV_DEFAULT_SECRETS.JWT_SECRET, DEV_DEFAULT_SECRETS.SERVICE_SECRET, from).serviceToken('seating');

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
