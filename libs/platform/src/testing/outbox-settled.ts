import { RunningApp } from '../http/create-app';
import { OutboxWorker } from '../outbox/outbox';
import { eventually } from './eventually';
import { query } from './sql';

/**
 * Delivers what is due in the service's outbox now, then waits until no message is due or being
 * delivered (by this replica or another): what the service was going to send has been sent, so a
 * test can then check that nothing more goes out.
 */
export async function outboxSettled(app: RunningApp, databaseUrl: string, timeoutMs = 10_000): Promise<void> {
  await app.app.get(OutboxWorker).drain();
  await eventually(async () => {
    const [{ n }] = await query<{ n: number }>(
      databaseUrl,
      `SELECT count(*)::int AS n FROM outbox WHERE status = 'PENDING' AND (next_attempt_at <= now() OR lease_until > now())`,
    );
    return n === 0 ? true : undefined;
  }, timeoutMs, 'no outbox message due or being delivered');
}
