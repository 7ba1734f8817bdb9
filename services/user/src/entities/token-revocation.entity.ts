import { Column, CreateDateColumn, Entity, Generated, Index, PrimaryColumn } from 'typeorm';
import { numberColumn } from '@etsr/platform';

/**
 * A revocation of access tokens: a whole user's below `tokenVersion` (sessionId null), or one
 * session's. Numbered in commit order (see TokenRevocationsRepository), which makes `id` the feed's
 * cursor. Kept until every token it voids has expired (`expiresAt`).
 */
@Entity('token_revocations')
export class TokenRevocationEntity {
  @PrimaryColumn({ type: 'bigint', transformer: numberColumn, primaryKeyConstraintName: 'token_revocations_pkey' })
  @Generated('increment')
  id: number;

  @Column({ name: 'user_id', type: 'bigint', transformer: numberColumn })
  userId: number;

  @Column({ name: 'session_id', type: 'uuid', nullable: true })
  sessionId: string | null;

  @Column({ name: 'token_version', type: 'integer', default: 0 })
  tokenVersion: number;

  @Index('token_revocations_expires_idx')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
