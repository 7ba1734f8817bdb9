import { Check, Column, CreateDateColumn, Entity, Generated, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { numberColumn } from '@etsr/platform';

export type AccountStatus = 'ACTIVE' | 'INACTIVE' | 'BLOCKED';
export const ACCOUNT_STATUSES: AccountStatus[] = ['ACTIVE', 'INACTIVE', 'BLOCKED'];


@Entity('users')
@Check('users_role_check', `role IN ('USER', 'ADMIN')`)
@Check('users_account_status_check', `account_status IN ('ACTIVE', 'INACTIVE', 'BLOCKED')`)
// Unique case-insensitively ("Alice" and "alice" are one person); expression indexes are created by the migration.
@Index('users_username_lower_key', { synchronize: false })
@Index('users_search_trgm_idx', { synchronize: false })
export class UserEntity {
  @PrimaryColumn({ name: 'user_id', type: 'bigint', transformer: numberColumn, primaryKeyConstraintName: 'users_pkey' })
  @Generated('increment')
  id: number;

  @Column({ type: 'varchar', length: 50 })
  username: string;

  /** Stored lower-case; unique. */
  @Index('users_email_key', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  email: string;

  /** Null for an imported account whose owner has not set a password yet (login: 403 PASSWORD_NOT_SET). */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash: string | null;

  @Column({ name: 'first_name', type: 'varchar', length: 50 })
  firstName: string;

  @Column({ name: 'last_name', type: 'varchar', length: 50 })
  lastName: string;

  @Column({ name: 'phone_number', type: 'varchar', length: 16, nullable: true })
  phoneNumber: string | null;

  @Column({ type: 'varchar', length: 10, default: 'USER' })
  role: 'USER' | 'ADMIN';

  @Index('users_account_status_idx')
  @Column({ name: 'account_status', type: 'varchar', length: 20, default: 'ACTIVE' })
  accountStatus: AccountStatus;

  /** '<source>:users:<id>' of an account loaded by the importer; the key that makes a second import a no-op. */
  @Index('users_external_ref_key', { unique: true })
  @Column({ name: 'external_ref', type: 'varchar', length: 200, nullable: true })
  externalRef: string | null;

  /**
   * Goes up when the account is blocked, deactivated or its password changes: access tokens carry
   * the version they were issued with (`ver`), and every service refuses those below it.
   */
  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
