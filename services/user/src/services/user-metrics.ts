import { Injectable } from '@nestjs/common';
import { MetricsService } from '@etsr/platform';
import { Counter } from 'prom-client';
import { RefreshTokensRepository } from '../repositories/refresh-tokens.repository';
import { UsersRepository } from '../repositories/users.repository';

export type LoginOutcome = 'success' | 'failed' | 'rate_limited';

/** The user service's business metrics (docs/architecture.md#metrics). */
@Injectable()
export class UserMetrics {
  readonly registrations: Counter;
  readonly loginAttempts: Counter<'status'>;

  constructor(metrics: MetricsService, refreshTokens: RefreshTokensRepository, users: UsersRepository) {
    this.registrations = metrics.counter({ name: 'user_registrations_total', help: 'Accounts registered' });
    this.loginAttempts = metrics.counter({
      name: 'user_login_attempts_total',
      help: 'Login attempts by outcome',
      labelNames: ['status'],
    });
    for (const status of ['success', 'failed', 'rate_limited']) this.loginAttempts.inc({ status }, 0);
    // Read from the database at scrape time: the same answer from every replica, correct after restarts.
    metrics.gauge({
      name: 'active_user_sessions_count',
      help: 'Sessions that can still be refreshed (live refresh tokens)',
      async collect() {
        try {
          this.set(await refreshTokens.countLive());
        } catch {
          /* database down: health reports it; keep the last value */
        }
      },
    });
    metrics.gauge({
      name: 'registered_users_count',
      help: 'Accounts in the user database (the counter user_registrations_total restarts with the process)',
      async collect() {
        try {
          this.set(await users.countAll());
        } catch {
          /* database down: health reports it; keep the last value */
        }
      },
    });
  }

  login(outcome: LoginOutcome): void {
    this.loginAttempts.inc({ status: outcome });
  }
}
