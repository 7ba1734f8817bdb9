import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { JsonLogger, PeriodicTask } from '@etsr/platform';
import { UserConfig } from '../config';
import { LoginThrottleRepository } from '../repositories/login-throttle.repository';
import { PasswordSetupRepository } from '../repositories/password-setup.repository';
import { RefreshTokensRepository } from '../repositories/refresh-tokens.repository';
import { TokenRevocationsRepository } from '../repositories/token-revocations.repository';

const EVERY_MS = 60 * 60 * 1000;

/**
 * Hourly clean-up of rows nobody can use any more: spent or expired refresh tokens (after a week),
 * spent or expired password tokens and their delivered e-mails, finished rate-limit windows, and
 * token revocations whose tokens have all expired.
 * Plain deletes, so several replicas running it at once is harmless.
 */
@Injectable()
export class MaintenanceService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly task: PeriodicTask;
  private readonly log;

  constructor(
    private readonly config: UserConfig,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly throttle: LoginThrottleRepository,
    private readonly passwordTokens: PasswordSetupRepository,
    private readonly revocations: TokenRevocationsRepository,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(MaintenanceService.name);
    this.task = new PeriodicTask('Clean-up', EVERY_MS, () => this.run(), this.log);
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  async run(): Promise<{ refreshTokens: number; passwordTokens: number }> {
    try {
      const removed = await this.refreshTokens.deleteStale();
      const passwordTokens = await this.passwordTokens.deleteStale();
      await this.revocations.deleteExpired();
      const c = this.config;
      await this.throttle.deleteExpired(Math.max(c.LOGIN_IP_WINDOW_SECONDS, c.LOGIN_USERNAME_WINDOW_SECONDS, c.LOGIN_ACCOUNT_WINDOW_SECONDS, c.REGISTRATION_WINDOW_SECONDS, c.RESET_WINDOW_SECONDS));
      if (removed || passwordTokens) this.log.info('Removed stale tokens', { refreshTokens: removed, passwordTokens });
      return { refreshTokens: removed, passwordTokens };
    } catch (e) {
      this.log.warn('Clean-up failed; next run in an hour', { error: e instanceof Error ? e.message : String(e) });
      return { refreshTokens: 0, passwordTokens: 0 };
    }
  }
}
