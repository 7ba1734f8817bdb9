import { forbidden } from '../errors/app-error';
import { Principal, isAdmin } from './principal';

/** A user may act on their own records; an admin (and a platform service) on anyone's. */
export function assertOwnerOrAdmin(principal: Principal, ownerUserId: number | string, what = 'resource'): void {
  if (principal.kind === 'service' || isAdmin(principal)) return;
  if (String(principal.userId) !== String(ownerUserId)) throw forbidden(`This ${what} belongs to another user`);
}

/**
 * Request bodies may carry a `userId`; it must be the caller's own: one that differs from the
 * token's user is refused (403 USER_MISMATCH, docs/api.md). Returns the effective user id.
 */
export function resolveActingUser(principal: Principal, bodyUserId: number | undefined): number {
  if (principal.kind === 'service') {
    if (bodyUserId === undefined) throw forbidden('A service must say which user it acts for');
    return bodyUserId;
  }
  // No exception for admins: an admin acting for someone else would make audit trails lie.
  if (bodyUserId !== undefined && bodyUserId !== principal.userId) {
    // Say who the caller is: the usual cause is an id copied from an example or another account.
    throw forbidden(
      `User id ${bodyUserId} in the body is not you: your token is user ${principal.userId}'s. Send ${principal.userId}, or leave the user id out`,
      'USER_MISMATCH',
      { userId: bodyUserId, yourUserId: principal.userId },
    );
  }
  return bodyUserId ?? principal.userId;
}
