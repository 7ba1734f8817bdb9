import { retryDelayMs } from '@etsr/platform';
import { FailureOutcome } from '../repositories/notifications.repository';

export interface RetrySettings {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * What follows a failed attempt number `attempt` (from 1): FAILED for good when the failure is
 * permanent or no attempt is left, else another try after an exponential delay with full jitter
 * (the platform's `retryDelayMs`, the same curve the outbox uses).
 */
export function afterFailure(attempt: number, permanent: boolean, settings: RetrySettings, random: () => number = Math.random): FailureOutcome {
  if (permanent || attempt >= settings.maxAttempts) return { final: true };
  return { retryInMs: retryDelayMs(attempt, settings.baseDelayMs, settings.maxDelayMs, random) };
}
