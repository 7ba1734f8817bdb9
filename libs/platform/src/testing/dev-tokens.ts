import { Role } from '../auth/principal';
import { TokenService } from '../auth/token-service';
import { DEV_DEFAULT_SECRETS } from '../config/base-config';

/**
 * Credentials as the platform's services issue them when they run on the development secrets (as
 * every service under test does): a test calls a service the way a signed-in user or a peer would.
 */

/** The token service of `service` (the issuer named in its tokens) on the development secrets. */
export const devTokens = (service: string) => new TokenService(DEV_DEFAULT_SECRETS.JWT_SECRET, DEV_DEFAULT_SECRETS.SERVICE_SECRET, service);

const userService = devTokens('user');

/** An access token of user `userId` (named user<userId> unless told), valid for an hour unless told. */
export function devUserToken(
  userId: number,
  role: Role = 'USER',
  options: { username?: string; email?: string; expiresInSeconds?: number } = {},
): string {
  const { username = `user${userId}`, email, expiresInSeconds = 3600 } = options;
  return userService.signAccessToken({ userId, username, role, ...(email === undefined ? {} : { email }) }, expiresInSeconds);
}

/** The credential service `from` sends to service `audience`. */
export const devServiceToken = (from: string, audience: string) => devTokens(from).serviceToken(audience);
