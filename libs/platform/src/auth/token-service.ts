import { KeyObject, createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { unauthorized } from '../errors/app-error';
import { ROLES, Role, ServicePrincipal, UserPrincipal } from './principal';

const ISSUER = 'etsr-user-service';
const USER_AUDIENCE = 'etsr';
const SERVICE_ISSUER = 'etsr-service';
/** Verified access tokens remembered per process (oldest dropped first): a few MB at most. */
const VERIFIED_TOKENS_KEPT = 10_000;
/** Short enough that a leaked service credential is worthless within a minute. */
const SERVICE_TOKEN_TTL_SECONDS = 60;

/**
 * Signs and verifies the two kinds of bearer token. User access tokens are HS256 with JWT_SECRET
 * (every service verifies them locally, no call to the user service); service credentials are HS256
 * with SERVICE_SECRET, carry typ "service" and name the service they are for. A user token never
 * verifies as a service credential: other key, other issuer, other type.
 */
export class TokenService {
  private cachedServiceTokens = new Map<string, { token: string; expiresAt: number }>();
  /**
   * Access tokens verified already, until they expire. A buyer sends the same token with every call
   * of a sale (hold, order, charge, polling the order); checking its HMAC and claims once instead
   * of each time was measured as part of the per-request cost (profile of the seating service).
   * The answer cannot change before expiry: same bytes, same key, same claims.
   */
  private readonly verified = new Map<string, { principal: UserPrincipal; expiresAt: number }>();
  /**
   * Keys made once: given a string, jsonwebtoken first tries (and fails) to read it as a public key
   * on every call, which measured as a quarter of the seating service's CPU under load.
   */
  private readonly jwtKey: KeyObject;
  private readonly serviceKey: KeyObject;

  constructor(
    jwtSecret: string,
    serviceSecret: string,
    private readonly serviceName: string,
  ) {
    this.jwtKey = createSecretKey(Buffer.from(jwtSecret, 'utf8'));
    this.serviceKey = createSecretKey(Buffer.from(serviceSecret, 'utf8'));
  }

  signAccessToken(user: Omit<UserPrincipal, 'kind'>, expiresInSeconds: number): string {
    return jwt.sign({ typ: 'access', username: user.username, role: user.role, ...(user.email ? { email: user.email } : {}) }, this.jwtKey, {
      algorithm: 'HS256',
      subject: String(user.userId),
      issuer: ISSUER,
      audience: USER_AUDIENCE,
      expiresIn: expiresInSeconds,
    });
  }

  verifyAccessToken(token: string): UserPrincipal {
    const known = this.verified.get(token);
    if (known && Date.now() < known.expiresAt) return known.principal;
    if (known) this.verified.delete(token);
    return this.verifyAccessTokenNow(token);
  }

  /** Verifies signature and claims; remembers the result until the token expires (see `verified`). */
  private verifyAccessTokenNow(token: string): UserPrincipal {
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(token, this.jwtKey, { algorithms: ['HS256'], issuer: ISSUER, audience: USER_AUDIENCE }) as jwt.JwtPayload;
    } catch (e) {
      throw unauthorized(e instanceof jwt.TokenExpiredError ? 'Access token expired' : 'Invalid access token', 'INVALID_TOKEN');
    }
    const userId = Number(claims.sub);
    if (claims.typ !== 'access' || !Number.isSafeInteger(userId) || userId <= 0 || !ROLES.includes(claims.role as Role)) {
      throw unauthorized('Invalid access token', 'INVALID_TOKEN');
    }
    const principal: UserPrincipal = Object.freeze({
      kind: 'user',
      userId,
      username: String(claims.username ?? ''),
      role: claims.role as Role,
      ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
    });
    if (typeof claims.exp === 'number') {
      if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, { principal, expiresAt: claims.exp * 1000 });
    }
    return principal;
  }

  /** A credential for calling `audience` (another service's name), reused while it has 30 s left. */
  serviceToken(audience: string): string {
    const now = Date.now();
    const cached = this.cachedServiceTokens.get(audience);
    if (cached && cached.expiresAt - now > 30_000) return cached.token;
    const token = jwt.sign({ typ: 'service' }, this.serviceKey, {
      algorithm: 'HS256',
      subject: this.serviceName,
      issuer: SERVICE_ISSUER,
      audience,
      expiresIn: SERVICE_TOKEN_TTL_SECONDS,
    });
    this.cachedServiceTokens.set(audience, { token, expiresAt: now + SERVICE_TOKEN_TTL_SECONDS * 1000 });
    return token;
  }

  /** Accepts only credentials issued for this service. */
  verifyServiceToken(token: string): ServicePrincipal {
    try {
      const claims = jwt.verify(token, this.serviceKey, {
        algorithms: ['HS256'],
        issuer: SERVICE_ISSUER,
        audience: this.serviceName,
      }) as jwt.JwtPayload;
      if (claims.typ !== 'service' || typeof claims.sub !== 'string') throw new Error('not a service token');
      return { kind: 'service', service: claims.sub };
    } catch {
      throw unauthorized('Invalid service credential', 'INVALID_TOKEN');
    }
  }

  /**
   * A user access token or a service credential. Users are the common case, so their token is
   * verified straight away; only when that fails is the issuer looked at, to try the service key.
   */
  verifyAny(token: string): UserPrincipal | ServicePrincipal {
    try {
      return this.verifyAccessToken(token);
    } catch (e) {
      if (jwt.decode(token, { json: true })?.iss === SERVICE_ISSUER) return this.verifyServiceToken(token);
      throw e;
    }
  }
}
