import { KeyObject, createSecretKey } from 'node:crypto';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';
import { unauthorized } from '../errors/app-error';
import { ROLES, Role, ServicePrincipal, UserPrincipal } from './principal';
import { TokenRevocations } from './token-revocations';

const ISSUER = 'etsr-user-service';
const USER_AUDIENCE = 'etsr';
const SERVICE_ISSUER = 'etsr-service';
/** Verified access tokens remembered per process (oldest dropped first): a few MB at most. */
const VERIFIED_TOKENS_KEPT = 10_000;
/** Short enough that a leaked service credential is worthless within a minute. */
const SERVICE_TOKEN_TTL_SECONDS = 60;
/** How far ahead of our clock a token's `iat` may be (clocks of two machines differ a little). */
const CLOCK_TOLERANCE_SECONDS = 30;

/** What ties an access token to its session and to the user's token version, for revocation. */
export interface AccessTokenBinding {
  /** The session (refresh-token family) the token belongs to: its `sid` claim. */
  sessionId?: string;
  /** The user's token version when it was issued: its `ver` claim. */
  tokenVersion?: number;
}

interface Verified {
  principal: UserPrincipal | ServicePrincipal;
  expiresAt: number;
  tokenVersion: number;
  sessionId?: string;
}

/**
 * Signs and verifies the two kinds of bearer token, through @nestjs/jwt. User access tokens are
 * HS256 with JWT_SECRET (every service verifies them locally, no call to the user service); service
 * credentials are HS256 with SERVICE_SECRET, carry typ "service" and name the service they are for.
 * A user token never verifies as a service credential: other key, other issuer, other type. Both
 * must carry `exp` (a token that never expires is refused) and an `iat` that is not in the future.
 * A user token is also refused while `revocations` lists its session or a newer token version.
 */
export class TokenService {
  private cachedServiceTokens = new Map<string, { token: string; expiresAt: number }>();
  /**
   * Tokens verified already, until they expire. A buyer sends the same token with every call of a
   * sale (hold, order, charge, waiting for the order), a service the same credential for a minute;
   * checking HMAC and claims once instead of each time was measured as part of the per-request cost
   * (profile of the seating service).
   * The signature and claims cannot change before expiry: same bytes, same key. Revocation can, so
   * it is checked on every use, remembered or not.
   */
  private readonly verified = new Map<string, Verified>();
  /**
   * Keys made once (createSecretKey): given a string, jsonwebtoken (under @nestjs/jwt) first tries
   * (and fails) to read it as a public key on every call, which measured as a quarter of the seating
   * service's CPU under load.
   */
  private readonly userJwt: JwtService;
  private readonly serviceJwt: JwtService;
  /** Revoked sessions and token versions, kept current by a TokenRevocationFeed. */
  readonly revocations = new TokenRevocations();

  constructor(
    jwtSecret: string,
    serviceSecret: string,
    private readonly serviceName: string,
  ) {
    this.userJwt = jwtService(createSecretKey(Buffer.from(jwtSecret, 'utf8')));
    this.serviceJwt = jwtService(createSecretKey(Buffer.from(serviceSecret, 'utf8')));
  }

  signAccessToken(user: Omit<UserPrincipal, 'kind'>, expiresInSeconds: number, binding: AccessTokenBinding = {}): string {
    const claims = {
      typ: 'access',
      username: user.username,
      role: user.role,
      ...(user.email ? { email: user.email } : {}),
      ...(binding.sessionId ? { sid: binding.sessionId } : {}),
      ...(binding.tokenVersion ? { ver: binding.tokenVersion } : {}),
    };
    return this.userJwt.sign(claims, { subject: String(user.userId), issuer: ISSUER, audience: USER_AUDIENCE, expiresIn: expiresInSeconds });
  }

  verifyAccessToken(token: string): UserPrincipal {
    const known = this.remembered(token) ?? this.verifyAccessTokenNow(token);
    if (known.principal.kind !== 'user') throw unauthorized('Invalid access token', 'INVALID_TOKEN');
    return this.notRevoked(known, known.principal);
  }

  /** A token verified before and not expired since. */
  private remembered(token: string): Verified | undefined {
    const known = this.verified.get(token);
    if (known && Date.now() < known.expiresAt) return known;
    if (known) this.verified.delete(token);
    return undefined;
  }

  private remember(token: string, entry: Verified): Verified {
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, entry);
    return entry;
  }

  private notRevoked(known: Verified, principal: UserPrincipal): UserPrincipal {
    if (this.revocations.isRevoked(principal.userId, known.tokenVersion, known.sessionId)) {
      throw unauthorized('Access token revoked: log in again', 'TOKEN_REVOKED');
    }
    return principal;
  }

  /** Verifies signature and claims; remembers the result until the token expires (see `verified`). */
  private verifyAccessTokenNow(token: string): Verified {
    let claims: Record<string, unknown>;
    try {
      claims = this.userJwt.verify(token, { issuer: ISSUER, audience: USER_AUDIENCE });
    } catch (e) {
      throw unauthorized(e instanceof TokenExpiredError ? 'Access token expired' : 'Invalid access token', 'INVALID_TOKEN');
    }
    const userId = Number(claims.sub);
    const version = claims.ver ?? 0;
    if (
      claims.typ !== 'access' ||
      !Number.isSafeInteger(userId) ||
      userId <= 0 ||
      !ROLES.includes(claims.role as Role) ||
      !Number.isSafeInteger(version) ||
      (claims.sid !== undefined && typeof claims.sid !== 'string') ||
      !timesAreSound(claims)
    ) {
      throw unauthorized('Invalid access token', 'INVALID_TOKEN');
    }
    const principal: UserPrincipal = Object.freeze({
      kind: 'user',
      userId,
      username: String(claims.username ?? ''),
      role: claims.role as Role,
      ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
    });
    return this.remember(token, {
      principal,
      expiresAt: (claims.exp as number) * 1000,
      tokenVersion: version as number,
      ...(typeof claims.sid === 'string' ? { sessionId: claims.sid } : {}),
    });
  }

  /** A credential for calling `audience` (another service's name), reused while it has 30 s left. */
  serviceToken(audience: string): string {
    const now = Date.now();
    const cached = this.cachedServiceTokens.get(audience);
    if (cached && cached.expiresAt - now > 30_000) return cached.token;
    const token = this.serviceJwt.sign({ typ: 'service' }, { subject: this.serviceName, issuer: SERVICE_ISSUER, audience, expiresIn: SERVICE_TOKEN_TTL_SECONDS });
    this.cachedServiceTokens.set(audience, { token, expiresAt: now + SERVICE_TOKEN_TTL_SECONDS * 1000 });
    return token;
  }

  /** Accepts only credentials issued for this service. */
  verifyServiceToken(token: string): ServicePrincipal {
    const known = this.remembered(token);
    if (known?.principal.kind === 'service') return known.principal;
    let claims: Record<string, unknown>;
    try {
      claims = this.serviceJwt.verify(token, { issuer: SERVICE_ISSUER, audience: this.serviceName });
    } catch {
      throw unauthorized('Invalid service credential', 'INVALID_TOKEN');
    }
    if (claims.typ !== 'service' || typeof claims.sub !== 'string' || !timesAreSound(claims)) throw unauthorized('Invalid service credential', 'INVALID_TOKEN');
    const principal: ServicePrincipal = Object.freeze({ kind: 'service', service: claims.sub });
    this.remember(token, { principal, expiresAt: (claims.exp as number) * 1000, tokenVersion: 0 });
    return principal;
  }

  /**
   * A user access token or a service credential. The unverified issuer only chooses which key to
   * check with (each check still demands its own issuer, audience and type): trying the user key
   * first made every service-to-service call pay for a failed verification and its exception.
   */
  verifyAny(token: string): UserPrincipal | ServicePrincipal {
    const known = this.remembered(token);
    if (known) return known.principal.kind === 'user' ? this.notRevoked(known, known.principal) : known.principal;
    const issuer = (this.userJwt.decode(token, { json: true }) as { iss?: unknown } | null)?.iss;
    return issuer === SERVICE_ISSUER ? this.verifyServiceToken(token) : this.verifyAccessToken(token);
  }
}

function jwtService(secret: KeyObject): JwtService {
  return new JwtService({ secret, signOptions: { algorithm: 'HS256' }, verifyOptions: { algorithms: ['HS256'] } });
}

/**
 * jsonwebtoken checks `exp` only when a token has one: a token without it would be good forever,
 * so it is refused, as is one issued in the future (beyond a little clock difference).
 */
function timesAreSound(claims: Record<string, unknown>): boolean {
  const now = Date.now() / 1000;
  return typeof claims.exp === 'number' && typeof claims.iat === 'number' && claims.iat <= now + CLOCK_TOLERANCE_SECONDS;
}
