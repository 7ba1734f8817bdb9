import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError, Repository } from 'typeorm';
import { escapeLike, sqlRows } from '@etsr/platform';
import { AccountStatus, UserEntity } from '../entities/user.entity';
import { TokenRevocationsRepository } from './token-revocations.repository';

export type NewUser = Pick<UserEntity, 'username' | 'email' | 'passwordHash' | 'firstName' | 'lastName' | 'phoneNumber' | 'role'>;

/** Which unique rule an insert or update broke, if any. */
export type UniqueViolation = 'username' | 'email';

export interface UserListFilter {
  status?: AccountStatus;
  role?: 'USER' | 'ADMIN';
  /** Substring of username, e-mail, first or last name (case-insensitive). */
  query?: string;
  offset: number;
  limit: number;
}

@Injectable()
export class UsersRepository {
  private readonly repo: Repository<UserEntity>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly revocations: TokenRevocationsRepository,
  ) {
    this.repo = dataSource.getRepository(UserEntity);
  }

  /** Every account, whatever its status: the "users" line of the business dashboard. */
  async countAll(): Promise<number> {
    const [row] = await sqlRows<{ n: string }>(this.dataSource, 'SELECT count(*) AS n FROM users');
    return Number(row.n);
  }

  /** Inserts, relying on the unique indexes (never look-up-then-insert): returns the violation instead of throwing. */
  async insert(user: NewUser): Promise<UserEntity | UniqueViolation> {
    try {
      return await this.repo.save(this.repo.create(user));
    } catch (e) {
      const violation = uniqueViolation(e);
      if (violation) return violation;
      throw e;
    }
  }

  /** Creates the row unless a user with that username or e-mail exists; true when created. */
  async insertIfAbsent(user: NewUser): Promise<boolean> {
    const rows = await sqlRows(
      this.dataSource,
      `INSERT INTO users (username, email, password_hash, first_name, last_name, phone_number, role)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING user_id`,
      [user.username, user.email, user.passwordHash, user.firstName, user.lastName, user.phoneNumber, user.role],
    );
    return rows.length === 1;
  }

  findById(id: number): Promise<UserEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** E-mails are stored lower-cased (the DTOs lower them), so this is an exact match on the unique index. */
  findByEmail(email: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ email: email.toLowerCase() });
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.repo.createQueryBuilder('u').where('lower(u.username) = lower(:username)', { username }).getOne();
  }

  /**
   * Applies changes in `tx`; with `revokeSessions` (a password change) the user's refresh tokens and
   * access tokens go too. A taken username or e-mail throws: `uniqueViolation` names it.
   */
  async update(tx: EntityManager, id: number, changes: Partial<UserEntity>, revokeSessions = false): Promise<UserEntity | null> {
    if (Object.keys(changes).length) {
      const result = await tx.update(UserEntity, { id }, changes);
      if (!result.affected) return null;
    }
    if (revokeSessions) await this.endSessions(tx, id);
    return tx.findOneBy(UserEntity, { id });
  }

  /** Status change in `tx`, with the revocation of the user's refresh and access tokens. */
  async setStatus(tx: EntityManager, id: number, status: AccountStatus, revokeSessions: boolean): Promise<UserEntity | null> {
    const result = await tx.update(UserEntity, { id }, { accountStatus: status });
    if (!result.affected) return null;
    if (revokeSessions) await this.endSessions(tx, id);
    return tx.findOneBy(UserEntity, { id });
  }

  /** Deletes the account in `tx`, revoking its access tokens (refresh tokens go by cascade). */
  async delete(tx: EntityManager, id: number): Promise<boolean> {
    const result = await tx.delete(UserEntity, { id });
    if (result.affected) await this.revocations.revokeDeletedUser(tx, id);
    return !!result.affected;
  }

  /** Every session of the user: refresh tokens revoked, access tokens below the new token version void. */
  async endSessions(tx: EntityManager, id: number): Promise<void> {
    await tx.query(`UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [id]);
    await this.revocations.revokeUser(tx, id);
  }

  async list(filter: UserListFilter): Promise<{ users: UserEntity[]; total: number }> {
    const qb = this.repo.createQueryBuilder('u');
    if (filter.status) qb.andWhere('u.account_status = :status', { status: filter.status });
    if (filter.role) qb.andWhere('u.role = :role', { role: filter.role });
    if (filter.query) {
      // Same expression as users_search_trgm_idx, so PostgreSQL can use it. LIKE wildcards in the input are escaped.
      qb.andWhere(`lower(u.username || ' ' || u.email || ' ' || u.first_name || ' ' || u.last_name) LIKE :pattern ESCAPE '\\'`, {
        pattern: `%${escapeLike(filter.query.toLowerCase())}%`,
      });
    }
    const [users, total] = await qb.orderBy('u.id', 'ASC').skip(filter.offset).take(filter.limit).getManyAndCount();
    return { users, total };
  }
}

/** Which unique index a failed statement broke, if it was the username's or the e-mail's. */
export function uniqueViolation(e: unknown): UniqueViolation | undefined {
  if (!(e instanceof QueryFailedError)) return undefined;
  const driver = (e as QueryFailedError & { driverError?: { code?: string; constraint?: string } }).driverError;
  if (driver?.code !== '23505') return undefined;
  if (driver.constraint === 'users_username_lower_key') return 'username';
  if (driver.constraint === 'users_email_key') return 'email';
  return undefined;
}
