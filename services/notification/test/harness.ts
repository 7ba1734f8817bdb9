import { RunningApp } from '@etsr/platform';
import { TestDatabase, client, createMigratedTestDatabase, devServiceToken, devUserToken, eventually, query } from '@etsr/platform/testing';
import { startNotificationService } from '../src/bootstrap';
import { NotificationSender } from '../src/services/notification-sender.service';
import { database as notificationDatabase } from '../src/database';

export const userToken = (userId: number, role: 'USER' | 'ADMIN' = 'USER') => devUserToken(userId, role);
export const adminToken = () => userToken(1, 'ADMIN');
/** A credential another platform service (order, by default) would send to the notification service. */
export const serviceToken = (from = 'order') => devServiceToken(from, 'notification');

export interface NotificationUnderTest {
  url: string;
  api: ReturnType<typeof client>;
  db: TestDatabase;
  app: RunningApp;
  /** Every log line the service wrote, parsed. */
  logs: Record<string, unknown>[];
  /** One send pass now: sends every notification due, and returns when those sends have ended. */
  drain(): Promise<void>;
  /**
   * Sends what is due, then waits until no notification is due or being sent (by this replica or
   * another): every mail that was going to go out has reached the SMTP server.
   */
  settled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The notification service on a fresh database (or `db`, to run a second replica on it), on a free
 * port, sending mail to `smtpUrl`. Retries are quick so tests need not wait long.
 */
export async function startNotificationForTest(smtpUrl: string, env: Record<string, string> = {}, db?: TestDatabase): Promise<NotificationUnderTest> {
  const database = db ?? (await createMigratedTestDatabase('notification', notificationDatabase));
  const logs: Record<string, unknown>[] = [];
  const echo = process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'info';
  const destination = {
    write(line: string) {
      logs.push(JSON.parse(line) as Record<string, unknown>);
      if (echo) process.stdout.write(line);
    },
  };
  const app = await startNotificationService(
    {
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      // Info at least: tests read the SMS log provider's lines.
      LOG_LEVEL: process.env.LOG_LEVEL === 'debug' ? 'debug' : 'info',
      SMTP_URL: smtpUrl,
      NOTIFICATION_SEND_INTERVAL_MS: '200',
      NOTIFICATION_RETRY_BASE_MS: '100',
      NOTIFICATION_RETRY_MAX_MS: '500',
      // Generous: on a busy test machine a send cut short by its deadline may be delivered twice
      // (at least once, as documented), which would break the tests that count mails exactly.
      NOTIFICATION_SEND_TIMEOUT_MS: '15000',
      SMTP_SOCKET_TIMEOUT_MS: '15000',
      SMTP_GREETING_TIMEOUT_MS: '15000',
      SMTP_CONNECTION_TIMEOUT_MS: '15000',
      NOTIFICATION_LEASE_SECONDS: '30',
      ...env,
    },
    { logDestination: destination },
  );
  const sender = app.app.get(NotificationSender);
  return {
    url: app.url,
    api: client(app.url),
    db: database,
    app,
    logs,
    drain: () => sender.drain(),
    settled: async (timeoutMs = 10_000) => {
      await sender.drain();
      await eventually(async () => {
        const [{ n }] = await query<{ n: number }>(
          database.url,
          `SELECT count(*)::int AS n FROM notifications WHERE status = 'PENDING' AND (next_attempt_at <= now() OR lease_until > now())`,
        );
        return n === 0 ? true : undefined;
      }, timeoutMs, 'no notification due or being sent');
    },
    stop: async () => {
      await app.close();
      if (!db) await database.drop();
    },
  };
}

export { eventually };
