import { Injectable } from '@nestjs/common';
import { TokenRevocationPage } from '@etsr/platform';
import { TokenRevocationsRepository } from '../repositories/token-revocations.repository';

/** The feed of revoked access tokens that every other service follows (libs/platform/README.md). */
@Injectable()
export class TokenRevocationsService {
  constructor(private readonly revocations: TokenRevocationsRepository) {}

  /** Revocations after `after`, in commit order; without it, every revocation still in force. */
  page(after: number | undefined): Promise<TokenRevocationPage> {
    return this.revocations.page(after);
  }
}
