import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { numberColumn } from '@etsr/platform';
import { UserEntity } from './user.entity';

export type TokenPurpose = 'SETUP' | 'RESET';

/** An invitation lasts long enough for a letter to arrive and be read, short enough that a leaked token goes stale. */
export const SETUP_TOKEN_TTL_SECONDS = 72 * 3600;

/**
 * A one-time token that lets the owner of an account set its password: an admin's invitation
 * (imported accounts have none) or a reset the owner asked for. Only the token's SHA-256 is
 * stored; it is spent by its first use and expires.
 */
@Entity('password_setup_tokens')
@Check('password_setup_tokens_purpose_check', `purpose IN ('SETUP', 'RESET')`)
export class PasswordSetupTokenEntity {
  @PrimaryColumn({ name: 'token_hash', type: 'char', length: 64, primaryKeyConstraintName: 'password_setup_tokens_pkey' })
  tokenHash: string;

  @Index('password_setup_tokens_user_idx')
  @Column({ name: 'user_id', type: 'bigint', transformer: numberColumn })
  userId: number;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'password_setup_tokens_user_fk' })
  user?: UserEntity;

  @Column({ type: 'varchar', length: 10, default: 'SETUP' })
  purpose: TokenPurpose;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
