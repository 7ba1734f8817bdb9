import { RunningApp } from '@etsr/platform';
import { TestDatabase, client, createMigratedTestDatabase } from '@etsr/platform/testing';
import { startUserService } from '../src/bootstrap';
import { database as userDatabase } from '../src/database';

export const ADMIN = { username: 'admin', password: 'Admin123!' };

export interface UserServiceUnderTest {
  url: string;
  api: ReturnType<typeof client>;
  db: TestDatabase;
  app: RunningApp;
  /** Stops the service and drops its database. */
  stop(): Promise<void>;
}

/**
 * The user service on a fresh database, listening on a free port, with the demo admin. Login
 * limits are generous unless a test sets them, because every test request comes from 127.0.0.1.
 */
export async function startUserServiceForTest(env: Record<string, string> = {}): Promise<UserServiceUnderTest> {
  const db = await createMigratedTestDatabase('user', userDatabase);
  const app = await startUserService({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ADMIN_PASSWORD: ADMIN.password,
    LOGIN_MAX_ATTEMPTS_PER_IP: '100000',
    LOGIN_MAX_ATTEMPTS_PER_USERNAME: '1000',
    LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '100000',
    REGISTRATIONS_PER_IP: '100000',
    ...env,
  });
  return {
    url: app.url,
    api: client(app.url),
    db,
    app,
    stop: async () => {
      await app.close();
      await db.drop();
    },
  };
}
