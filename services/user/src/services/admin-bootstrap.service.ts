import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { JsonLogger } from '@etsr/platform';
import { UserConfig } from '../config';
import { UsersRepository } from '../repositories/users.repository';
import { PasswordHasher } from './password-hasher';

/**
 * No public endpoint can make an administrator, so the first one comes from configuration: with
 * ADMIN_PASSWORD set, the account is created at start if no user has that name or e-mail yet. An
 * existing account is never changed (and never promoted).
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  constructor(
    private readonly config: UserConfig,
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly logger: JsonLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { ADMIN_USERNAME, ADMIN_EMAIL, ADMIN_PASSWORD } = this.config;
    if (!ADMIN_PASSWORD) return;
    const created = await this.users.insertIfAbsent({
      username: ADMIN_USERNAME,
      email: ADMIN_EMAIL.toLowerCase(),
      passwordHash: await this.hasher.hash(ADMIN_PASSWORD),
      firstName: 'Platform',
      lastName: 'Administrator',
      phoneNumber: null,
      role: 'ADMIN',
    });
    if (created) this.logger.log('Administrator account created', { username: ADMIN_USERNAME }, 'AdminBootstrap');
    else {
      const existing = await this.users.findByUsername(ADMIN_USERNAME);
      if (existing?.role !== 'ADMIN') {
        this.logger.warn('ADMIN_USERNAME belongs to a non-admin account (or the e-mail is taken); no administrator was created', { username: ADMIN_USERNAME }, 'AdminBootstrap');
      }
    }
  }
}
