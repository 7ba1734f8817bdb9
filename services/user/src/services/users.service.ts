import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { assertOwnerOrAdmin, badRequest, conflict, forbidden, isAdmin, JsonLogger, notFound, pageOffset, UserPrincipal } from '@etsr/platform';
import { UserConfig } from '../config';
import { ListUsersQuery, RegisterUserDto, SearchUsersQuery, UpdateUserDto, UserPageDto, UserResponseDto, mapUser } from '../dtos/user.dto';
import { AccountStatus, UserEntity } from '../entities/user.entity';
import { LoginThrottleRepository } from '../repositories/login-throttle.repository';
import { UniqueViolation, UsersRepository, uniqueViolation } from '../repositories/users.repository';
import { PasswordHasher } from './password-hasher';
import { UserMetrics } from './user-metrics';

const TAKEN = {
  username: () => conflict('Username is already taken', 'USERNAME_TAKEN'),
  email: () => conflict('E-mail is already registered', 'EMAIL_TAKEN'),
};

const isViolation = (v: unknown): v is UniqueViolation => v === 'username' || v === 'email';

/** Registration, profiles and account administration. */
@Injectable()
export class UsersService {
  private readonly log;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly metrics: UserMetrics,
    private readonly throttle: LoginThrottleRepository,
    private readonly config: UserConfig,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(UsersService.name);
  }

  /**
   * The unique indexes decide between concurrent registrations: exactly one creates the account.
   * A repeat of that same registration (same username and e-mail, and the password matches) is a
   * replay, e.g. a client retrying after a timeout, and gets the account (created: false); any
   * other clash is a 409. At most REGISTRATIONS_PER_IP per client address and window.
   */
  async register(dto: RegisterUserDto, clientIp: string): Promise<{ user: UserResponseDto; created: boolean }> {
    // Counted before the hash, which is the expensive part: a flood from one address stops here.
    await this.throttle.enforce(`register-ip:${clientIp}`, this.config.REGISTRATIONS_PER_IP, this.config.REGISTRATION_WINDOW_SECONDS, 'registrations from this address');
    const created = await this.users.insert({
      username: dto.username,
      email: dto.email,
      passwordHash: await this.hasher.hash(dto.password),
      firstName: dto.firstName,
      lastName: dto.lastName,
      phoneNumber: dto.phoneNumber ?? null,
      role: 'USER',
    });
    if (isViolation(created)) {
      const existing = await this.users.findByUsername(dto.username);
      const replay =
        existing?.username === dto.username && existing.email === dto.email && (await this.hasher.verify(dto.password, existing.passwordHash ?? undefined));
      if (!replay) throw TAKEN[created]();
      return { user: mapUser(existing), created: false };
    }
    this.metrics.registrations.inc();
    this.log.info('User registered', { userId: created.id });
    return { user: mapUser(created), created: true };
  }

  async get(actor: UserPrincipal, id: number): Promise<UserResponseDto> {
    assertOwnerOrAdmin(actor, id, 'account');
    return mapUser(await this.require(id));
  }

  async update(actor: UserPrincipal, id: number, dto: UpdateUserDto): Promise<UserResponseDto> {
    assertOwnerOrAdmin(actor, id, 'account');
    const user = await this.require(id);
    const changes: Partial<UserEntity> = {};
    if (dto.email !== undefined) changes.email = dto.email;
    if (dto.firstName !== undefined) changes.firstName = dto.firstName;
    if (dto.lastName !== undefined) changes.lastName = dto.lastName;
    if (dto.phoneNumber !== undefined) changes.phoneNumber = dto.phoneNumber;
    if (dto.newPassword !== undefined) {
      // An admin resetting someone else's password needs no old one; everyone else proves they know it.
      const adminForOther = isAdmin(actor) && actor.userId !== id;
      if (!adminForOther) {
        if (!dto.currentPassword) throw badRequest('currentPassword is required to change the password', 'CURRENT_PASSWORD_REQUIRED');
        if (!(await this.hasher.verify(dto.currentPassword, user.passwordHash ?? undefined))) {
          throw forbidden('currentPassword is wrong', 'INVALID_CURRENT_PASSWORD');
        }
      }
      changes.passwordHash = await this.hasher.hash(dto.newPassword);
    }
    let updated: UserEntity | null;
    try {
      // A password change ends the user's sessions in the same transaction.
      updated = await this.db.transaction((tx) => this.users.update(tx, id, changes, changes.passwordHash !== undefined));
    } catch (e) {
      const violation = uniqueViolation(e);
      if (violation) throw TAKEN[violation]();
      throw e;
    }
    if (!updated) throw notFound(`User ${id} not found`, 'USER_NOT_FOUND');
    return mapUser(updated);
  }

  async delete(actor: UserPrincipal, id: number): Promise<void> {
    assertOwnerOrAdmin(actor, id, 'account');
    if (!(await this.db.transaction((tx) => this.users.delete(tx, id)))) throw notFound(`User ${id} not found`, 'USER_NOT_FOUND');
    this.log.info('User deleted', { userId: id, by: actor.userId });
  }

  async list(query: ListUsersQuery): Promise<UserPageDto> {
    const { users, total } = await this.users.list({ status: query.status, role: query.role, offset: pageOffset(query), limit: query.limit });
    return { users: users.map(mapUser), page: query.page, limit: query.limit, totalCount: total };
  }

  async search(query: SearchUsersQuery): Promise<UserPageDto & { query: string }> {
    const { users, total } = await this.users.list({ query: query.query, offset: pageOffset(query), limit: query.limit });
    return { users: users.map(mapUser), page: query.page, limit: query.limit, totalCount: total, query: query.query };
  }

  /** Deactivating or blocking also ends every session (refresh tokens), in the same transaction. */
  async setStatus(actor: UserPrincipal, id: number, status: AccountStatus): Promise<UserResponseDto> {
    if (actor.userId === id) throw conflict('Administrators cannot change their own account status', 'OWN_ACCOUNT');
    const updated = await this.db.transaction((tx) => this.users.setStatus(tx, id, status, status !== 'ACTIVE'));
    if (!updated) throw notFound(`User ${id} not found`, 'USER_NOT_FOUND');
    this.log.info('Account status changed', { userId: id, status, by: actor.userId });
    return mapUser(updated);
  }

  private async require(id: number): Promise<UserEntity> {
    const user = await this.users.findById(id);
    if (!user) throw notFound(`User ${id} not found`, 'USER_NOT_FOUND');
    return user;
  }
}
