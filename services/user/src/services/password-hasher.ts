import { Injectable } from '@nestjs/common';
import bcrypt from 'bcryptjs';
import { badRequest } from '@etsr/platform';
import { UserConfig } from '../config';

/** bcrypt compares at most 72 bytes; longer (multi-byte) passwords are refused, not silently truncated. */
const BCRYPT_MAX_BYTES = 72;

/**
 * bcrypt behind an injectable, so the cost is configured in one place. bcryptjs (pure JS) rather
 * than the native binding: no install script or compiler needed on a fresh machine.
 */
@Injectable()
export class PasswordHasher {
  /** A hash nobody's password matches: compared against for unknown users so login time does not reveal who exists. */
  private readonly dummyHash: string;

  constructor(private readonly config: UserConfig) {
    this.dummyHash = bcrypt.hashSync('not-a-real-password-0', config.BCRYPT_COST);
  }

  hash(password: string): Promise<string> {
    if (Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES) {
      throw badRequest(`password must be at most ${BCRYPT_MAX_BYTES} bytes`, 'VALIDATION_FAILED');
    }
    return bcrypt.hash(password, this.config.BCRYPT_COST);
  }

  verify(password: string, hash: string | undefined): Promise<boolean> {
    return bcrypt.compare(password, hash ?? this.dummyHash);
  }
}
