import { Injectable } from '@nestjs/common';
import bcrypt from 'bcrypt';
import { WorkLine, badRequest } from '@etsr/platform';
import { UserConfig } from '../config';

/** bcrypt compares at most 72 bytes; longer (multi-byte) passwords are refused, not silently truncated. */
const BCRYPT_MAX_BYTES = 72;

/**
 * bcrypt behind an injectable, so the cost is configured in one place. The native `bcrypt`
 * package hashes on libuv's thread pool, off the event loop: with the pure-JS bcryptjs, 50
 * parallel sign-ups made a login take 18 s and /health answer 503. Version 6 ships prebuilt
 * binaries (glibc and musl), so no compiler or install script is needed.
 *
 * The pool has 4 threads by default and also serves file, DNS and compression work, so hashing
 * uses few of them, in two lines (see UserConfig): new passwords, and checks. A crowd signing up
 * waits in its own line and does not delay logins; each line holds at most BCRYPT_QUEUE_LIMIT,
 * beyond which 503 BUSY.
 */
@Injectable()
export class PasswordHasher {
  /** A hash nobody's password matches: compared against for unknown users so login time does not reveal who exists. */
  private readonly dummyHash: string;
  private readonly hashing: WorkLine;
  private readonly verifying: WorkLine;

  constructor(private readonly config: UserConfig) {
    this.dummyHash = bcrypt.hashSync('not-a-real-password-0', config.BCRYPT_COST);
    const busy = 'Too many passwords are being checked right now; try again in a second';
    this.hashing = new WorkLine(config.BCRYPT_HASH_CONCURRENCY, config.BCRYPT_QUEUE_LIMIT, busy);
    this.verifying = new WorkLine(config.BCRYPT_VERIFY_CONCURRENCY, config.BCRYPT_QUEUE_LIMIT, busy);
  }

  hash(password: string): Promise<string> {
    if (Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES) {
      throw badRequest(`password must be at most ${BCRYPT_MAX_BYTES} bytes`, 'VALIDATION_FAILED');
    }
    return this.hashing.run(() => bcrypt.hash(password, this.config.BCRYPT_COST));
  }

  verify(password: string, hash: string | undefined): Promise<boolean> {
    return this.verifying.run(() => bcrypt.compare(password, hash ?? this.dummyHash));
  }
}
