import { createSecretKey, hkdfSync } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';

/** Longest pass accepted for verification; a real one is about 300 characters. */
export const MAX_PASS_LENGTH = 2048;
const PASS_TYPE = 'queue-pass';
const ISSUER = 'etsr-seating';

export interface QueuePass {
  eventId: number;
  userId: number;
  /** The queue entry the pass admits: a pass is good only while its entry is ADMITTED. */
  entryId: string;
}

export type PassCheck = { kind: 'valid'; pass: QueuePass } | { kind: 'invalid'; reason: string };

/**
 * The waiting room's admission pass: a JWT (HS256) signed with a key derived from SERVICE_SECRET by
 * HKDF with its own label, so there is no new secret to configure, every replica signs and checks
 * alike, and a pass can never pass as a service credential (another key) nor the reverse.
 */
export class QueuePassSigner {
  private readonly jwt: JwtService;

  constructor(serviceSecret: string) {
    const key = Buffer.from(hkdfSync('sha256', serviceSecret, '', PASS_TYPE, 32));
    this.jwt = new JwtService({ secret: createSecretKey(key), signOptions: { algorithm: 'HS256' }, verifyOptions: { algorithms: ['HS256'] } });
  }

  sign(pass: QueuePass, expiresAt: Date): string {
    return this.jwt.sign(
      { typ: PASS_TYPE, eventId: pass.eventId, exp: Math.floor(expiresAt.getTime() / 1000) },
      { subject: String(pass.userId), jwtid: pass.entryId, issuer: ISSUER },
    );
  }

  /** Signature, expiry and the shape of every claim; whose pass it is and for which event is the caller's to compare. */
  verify(token: string): PassCheck {
    if (token.length > MAX_PASS_LENGTH) return { kind: 'invalid', reason: 'too long' };
    let claims: Record<string, unknown>;
    try {
      claims = this.jwt.verify(token, { issuer: ISSUER });
    } catch (e) {
      return { kind: 'invalid', reason: e instanceof Error && e.name === 'TokenExpiredError' ? 'expired' : 'bad signature or form' };
    }
    const userId = Number(claims.sub);
    if (
      claims.typ !== PASS_TYPE ||
      typeof claims.exp !== 'number' ||
      !Number.isSafeInteger(claims.eventId) ||
      !Number.isSafeInteger(userId) ||
      userId <= 0 ||
      typeof claims.jti !== 'string' ||
      !/^[0-9a-f-]{36}$/.test(claims.jti)
    ) {
      return { kind: 'invalid', reason: 'bad claims' };
    }
    return { kind: 'valid', pass: { eventId: claims.eventId as number, userId, entryId: claims.jti } };
  }
}
