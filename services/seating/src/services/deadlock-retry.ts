import { ContextLogger } from '@etsr/platform';

/** Deadlock and serialisation failure: the transaction was rolled back whole, so running it again is safe. */
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 3;

/**
 * Runs a transaction, again if PostgreSQL reports a deadlock or a serialisation failure (3 attempts).
 * Holds lock seats in one order, so neither should happen; this keeps one from reaching a buyer.
 */
export async function withDeadlockRetry<T>(fn: () => Promise<T>, log: ContextLogger): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      if (attempt >= ATTEMPTS || !RETRYABLE.has(code)) throw e;
      log.warn('Retried after a database conflict', { code, attempt });
    }
  }
}
