import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { ContextLogger, JsonLogger, badRequest, notFound } from '@etsr/platform';
import { UserConfig } from '../config';
import { PasswordSetupTokenDto } from '../dtos/password-setup.dto';
import { SETUP_TOKEN_TTL_SECONDS, TokenPurpose } from '../entities/password-setup-token.entity';
import { UserEntity } from '../entities/user.entity';
import { LoginThrottleRepository } from '../repositories/login-throttle.repository';
import { PasswordSetupRepository } from '../repositories/password-setup.repository';
import { UsersRepository } from '../repositories/users.repository';
import { AccountMailer } from './account-mailer.service';
import { PasswordHasher } from './password-hasher';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Setting a password with a one-time token, e-mailed to the account's address: an admin's
 * invitation (how an imported account, which has none, becomes usable) or a reset the owner asked
 * for. Either token is spent by /v1/users/password-setup/confirm.
 */
@Injectable()
export class PasswordSetupService {
  private readonly log: ContextLogger;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: UserConfig,
    private readonly users: UsersRepository,
    private readonly tokens: PasswordSetupRepository,
    private readonly throttle: LoginThrottleRepository,
    private readonly hasher: PasswordHasher,
    private readonly mailer: AccountMailer,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(PasswordSetupService.name);
  }

  /** An admin's invitation: e-mailed when e-mail is on, and answered to the admin either way. */
  async issue(userId: number): Promise<PasswordSetupTokenDto> {
    const user = await this.users.findById(userId);
    if (!user) throw notFound(`User ${userId} not found`, 'USER_NOT_FOUND');
    const { token, expiresAt, emailed } = await this.grant(user, 'SETUP', SETUP_TOKEN_TTL_SECONDS);
    return { userId, token, expiresAt: expiresAt.toISOString(), emailed };
  }

  /**
   * A forgotten password. The answer is the same whether or not the address has an account, so it
   * tells nobody which addresses are registered; the limits (per client address and per e-mail
   * address, counted before the look-up) keep it from being used to flood someone's inbox.
   */
  async requestReset(email: string, clientIp: string): Promise<void> {
    await this.enforce(`reset-ip:${clientIp}`, this.config.LOGIN_MAX_ATTEMPTS_PER_IP, this.config.LOGIN_IP_WINDOW_SECONDS);
    await this.enforce(`reset:${email.toLowerCase()}`, this.config.RESET_MAX_PER_EMAIL, this.config.RESET_WINDOW_SECONDS);
    const user = await this.users.findByEmail(email);
    if (!user || user.accountStatus !== 'ACTIVE') {
      this.log.info('Password reset asked for an address without an active account', { clientIp });
      return;
    }
    if (!this.mailer.enabled) {
      this.log.warn('Password reset asked, but NOTIFICATION_URL is not set: no e-mail can carry the token', { userId: user.id });
      return;
    }
    await this.grant(user, 'RESET', this.config.RESET_TTL_SECONDS);
    this.log.info('Password reset e-mail queued', { userId: user.id });
  }

  async confirm(token: string, newPassword: string): Promise<void> {
    const passwordHash = await this.hasher.hash(newPassword);
    const userId = await this.db.transaction((tx) => this.tokens.spend(tx, hashToken(token), passwordHash));
    if (userId === null) throw badRequest('The token is unknown, used or expired', 'INVALID_SETUP_TOKEN');
  }

  /** Stores a new token and, in the same transaction, the e-mail that carries it. */
  private async grant(user: UserEntity, purpose: TokenPurpose, ttlSeconds: number): Promise<{ token: string; expiresAt: Date; emailed: boolean }> {
    const token = `pst_${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    const emailed = await this.db.transaction(async (tx) => {
      await this.tokens.insert(tx, user.id, hashToken(token), purpose, expiresAt);
      return this.mailer.enqueue(tx, purpose === 'SETUP' ? 'ACCOUNT_SETUP' : 'PASSWORD_RESET', user, token, expiresAt);
    });
    if (emailed) this.mailer.sendSoon();
    return { token, expiresAt, emailed };
  }

  private enforce(key: string, max: number, windowSeconds: number): Promise<void> {
    return this.throttle.enforce(key, max, windowSeconds, 'password reset requests');
  }
}
