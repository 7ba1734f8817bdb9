import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { badRequest, notFound } from '@etsr/platform';
import { PasswordSetupTokenDto } from '../dtos/password-setup.dto';
import { PasswordSetupRepository } from '../repositories/password-setup.repository';
import { UsersRepository } from '../repositories/users.repository';
import { PasswordHasher } from './password-hasher';

/** Long enough for a letter to arrive and be read, short enough that a leaked token goes stale. */
export const SETUP_TOKEN_TTL_SECONDS = 72 * 3600;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Setting a password with a one-time token: how an imported account (which has none) becomes
 * usable. An admin issues the token and hands it to the account's owner.
 */
@Injectable()
export class PasswordSetupService {
  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: PasswordSetupRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async issue(userId: number): Promise<PasswordSetupTokenDto> {
    if (!(await this.users.findById(userId))) throw notFound(`User ${userId} not found`, 'USER_NOT_FOUND');
    const token = `pst_${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(Date.now() + SETUP_TOKEN_TTL_SECONDS * 1000);
    await this.tokens.insert(userId, hashToken(token), expiresAt);
    return { userId, token, expiresAt: expiresAt.toISOString() };
  }

  async confirm(token: string, newPassword: string): Promise<void> {
    const passwordHash = await this.hasher.hash(newPassword);
    const userId = await this.tokens.spend(hashToken(token), passwordHash);
    if (userId === null) throw badRequest('The token is unknown, used or expired', 'INVALID_SETUP_TOKEN');
  }
}
