import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JsonLogger, TokenService, forbidden, unauthorized } from '@etsr/platform';
import { UserConfig } from '../config';
import { LoginDto, TokenResponseDto } from '../dtos/auth.dto';
import { UserEntity } from '../entities/user.entity';
import { LoginThrottleRepository } from '../repositories/login-throttle.repository';
import { RefreshTokensRepository } from '../repositories/refresh-tokens.repository';
import { UsersRepository } from '../repositories/users.repository';
import { PasswordHasher } from './password-hasher';
import { UserMetrics } from './user-metrics';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Login, refresh-token rotation and logout. */
@Injectable()
export class AuthService {
  private readonly log;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: UserConfig,
    private readonly users: UsersRepository,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly throttle: LoginThrottleRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly metrics: UserMetrics,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(AuthService.name);
  }

  /**
   * Counts the attempt before checking the password, so a burst of parallel guesses cannot get past
   * a limit: against the client address, the username from that address, and the username from
   * everywhere (a slower limit). A success clears both of the username's counts.
   */
  async login(dto: LoginDto, clientIp: string): Promise<TokenResponseDto> {
    const username = dto.username.toLowerCase();
    const fromHereKey = `user-ip:${username}:${clientIp}`;
    const accountKey = `user:${username}`;
    await this.enforce(`ip:${clientIp}`, this.config.LOGIN_MAX_ATTEMPTS_PER_IP, this.config.LOGIN_IP_WINDOW_SECONDS);
    await this.enforce(fromHereKey, this.config.LOGIN_MAX_ATTEMPTS_PER_USERNAME, this.config.LOGIN_USERNAME_WINDOW_SECONDS);
    await this.enforce(accountKey, this.config.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT, this.config.LOGIN_ACCOUNT_WINDOW_SECONDS);

    const user = await this.users.findByUsername(dto.username);
    const passwordOk = await this.hasher.verify(dto.password, user?.passwordHash ?? undefined);
    if (user && user.passwordHash === null) {
      // An imported account: nobody can log in to it until its owner sets a password.
      this.metrics.login('failed');
      throw forbidden('This account has no password yet: set one with a password setup token first', 'PASSWORD_NOT_SET');
    }
    if (!user || !passwordOk) {
      this.metrics.login('failed');
      this.log.info('Login failed', { username: dto.username, clientIp });
      throw unauthorized('Invalid username or password', 'INVALID_CREDENTIALS');
    }
    if (user.accountStatus !== 'ACTIVE') {
      this.metrics.login('failed');
      throw forbidden(`Account is ${user.accountStatus.toLowerCase()}`, `ACCOUNT_${user.accountStatus}`);
    }
    await this.throttle.reset(fromHereKey);
    await this.throttle.reset(accountKey);
    this.metrics.login('success');
    return this.issue(user, randomUUID());
  }

  /** Rotates a refresh token: the old one is spent, a new one of the same family is returned. */
  async refresh(refreshToken: string): Promise<TokenResponseDto> {
    const result = await this.refreshTokens.claim(hashToken(refreshToken));
    if (result.kind === 'reused') {
      await this.db.transaction((tx) => this.refreshTokens.revokeFamily(tx, result.familyId));
      this.log.warn('Refresh token reused; its session was revoked', { userId: result.userId });
      throw unauthorized('Refresh token was already used; the session has been revoked', 'REFRESH_TOKEN_REUSED');
    }
    if (result.kind === 'invalid') throw unauthorized('Invalid or expired refresh token', 'INVALID_REFRESH_TOKEN');
    const user = await this.users.findById(result.token.userId);
    if (!user || user.accountStatus !== 'ACTIVE') {
      await this.db.transaction((tx) => this.refreshTokens.revokeFamily(tx, result.token.familyId));
      throw unauthorized('Account is not active', 'INVALID_REFRESH_TOKEN');
    }
    return this.issue(user, result.token.familyId);
  }

  /**
   * Ends the session the token belongs to: its refresh tokens at once, its access tokens in every
   * service within seconds (revocation feed). Unknown tokens are fine: logout is idempotent.
   */
  async logout(refreshToken: string): Promise<void> {
    await this.db.transaction((tx) => this.refreshTokens.revokeFamilyOf(tx, hashToken(refreshToken)));
  }

  private async enforce(key: string, max: number, windowSeconds: number): Promise<void> {
    try {
      await this.throttle.enforce(key, max, windowSeconds, 'login attempts');
    } catch (e) {
      this.metrics.login('rate_limited');
      throw e;
    }
  }

  private async issue(user: UserEntity, familyId: string): Promise<TokenResponseDto> {
    const refreshToken = `rt_${randomBytes(32).toString('base64url')}`;
    await this.refreshTokens.insert(user.id, familyId, hashToken(refreshToken), this.config.REFRESH_TOKEN_TTL_SECONDS);
    return {
      accessToken: this.tokens.signAccessToken(
        { userId: user.id, username: user.username, role: user.role, email: user.email },
        this.config.ACCESS_TOKEN_TTL_SECONDS,
        // What the revocation feed names: the session (logout) and the account's token version (block, password change).
        { sessionId: familyId, tokenVersion: user.tokenVersion },
      ),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.config.ACCESS_TOKEN_TTL_SECONDS,
      user: { userId: user.id, username: user.username, email: user.email, role: user.role },
    };
  }
}
