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
   * Tokens verified already, until they expire. A buyer sends the same token with every call of a
   * sale (hold, order, charge, waiting for the order), a service the same credential for a minute;
   * checking HMAC and claims once instead of each time was measured as part of the per-request cost
   * (profile of the seating service).
   * The answer cannot change before expiry: same bytes, same key, same claims.
   */
  private readonly verified = new Map<string, { principal: UserPrincipal | ServicePrincipal; expiresAt: number }>();
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
    const known = this.remembered(token);
    if (known?.kind === 'user') return known;
    return this.verifyAccessTokenNow(token);
  }

  /** A token verified before and not expired since: the same answer again. */
  private remembered(token: string): UserPrincipal | ServicePrincipal | undefined {
    const known = this.verified.get(token);
    if (known && Date.now() < known.expiresAt) return known.principal;
    if (known) this.verified.delete(token);
    return undefined;
  }

  private remember(token: string, principal: UserPrincipal | ServicePrincipal, exp: unknown): void {
    if (typeof exp !== 'number') return;
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { principal, expiresAt: exp * 1000 });
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
    this.remember(token, principal, claims.exp);
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
    const known = this.remembered(token);
    if (known?.kind === 'service') return known;
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(token, this.serviceKey, { algorithms: ['HS256'], issuer: SERVICE_ISSUER, audience: this.serviceName }) as jwt.JwtPayload;
    } catch {
      throw unauthorized('Invalid service credential', 'INVALID_TOKEN');
    }
    if (claims.typ !== 'service' || typeof claims.sub !== 'string') throw unauthorized('Invalid service credential', 'INVALID_TOKEN');
    const principal: ServicePrincipal = Object.freeze({ kind: 'service', service: claims.sub });
    this.remember(token, principal, claims.exp);
    return principal;
  }

  /**
   * A user access token or a service credential. The unverified issuer only chooses which key to
   * check with (each check still demands its own issuer, audience and type): trying the user key
   * first made every service-to-service call pay for a failed verification and its exception.
   */
  verifyAny(token: string): UserPrincipal | ServicePrincipal {
    const known = this.remembered(token);
    if (known) return known;
    return jwt.decode(token, { json: true })?.iss === SERVICE_ISSUER ? this.verifyServiceToken(token) : this.verifyAccessToken(token);
  }
}
