/**
 * One entry of the user service's revocation feed (`GET /internal/v1/token-revocations`): either
 * every access token of a user below a token version (`ver` claim: blocked, deactivated, deleted,
 * password changed), or every access token of one session (`sid` claim: the session logged out or
 * its refresh token was replayed). Versions, not issue times: exact whatever the clocks of the user
 * service's replicas say, and a token issued in the same second after the change stays good.
 */
export interface TokenRevocation {
  /** Position in the feed: entries are numbered in the order they were committed. */
  id: number;
  userId: number;
  /** The session ended; null: the whole user, see `tokenVersion`. */
  sessionId: string | null;
  /** The user's tokens with a lower `ver` are void (a token without `ver` is version 0). */
  tokenVersion: number;
  /** Epoch milliseconds after which every token it voids has expired anyway, so it can be forgotten. */
  expiresAt: number;
}

/** One page of the feed: entries after the cursor asked for, and the cursor to ask with next. */
export interface TokenRevocationPage {
  revocations: TokenRevocation[];
  cursor: number;
  /** More entries follow: ask again at once with `cursor`. */
  more: boolean;
}

/**
 * The revocations this process knows, kept in memory and consulted on every request (no call to
 * the user service per request). Filled by a `TokenRevocationFeed`; entries are forgotten once
 * every token they void has expired, so the maps hold at most one access-token lifetime of
 * revocations.
 */
export class TokenRevocations {
  /** userId → tokens below this version are void, and when the entry can go. */
  private readonly users = new Map<number, { tokenVersion: number; expiresAt: number }>();
  /** sessionId → when the entry can go. */
  private readonly sessions = new Map<string, number>();
  /** The feed position after the last entry applied; undefined until the first load. */
  cursor: number | undefined;
  /** When the feed last answered (epoch ms); undefined until the first load. */
  loadedAt: number | undefined;

  add(r: TokenRevocation): void {
    if (r.sessionId) {
      this.sessions.set(r.sessionId, Math.max(r.expiresAt, this.sessions.get(r.sessionId) ?? 0));
      return;
    }
    const known = this.users.get(r.userId);
    this.users.set(r.userId, {
      tokenVersion: Math.max(r.tokenVersion, known?.tokenVersion ?? 0),
      expiresAt: Math.max(r.expiresAt, known?.expiresAt ?? 0),
    });
  }

  /** Applies a page of the feed and moves the cursor past it. */
  apply(page: TokenRevocationPage, now = Date.now()): void {
    for (const r of page.revocations) this.add(r);
    this.cursor = page.cursor;
    this.loadedAt = now;
  }

  /** A token of `userId` with version `tokenVersion` (its `ver`), of session `sessionId` if it names one. */
  isRevoked(userId: number, tokenVersion: number, sessionId: string | undefined): boolean {
    if (sessionId !== undefined && this.sessions.has(sessionId)) return true;
    const user = this.users.get(userId);
    return user !== undefined && tokenVersion < user.tokenVersion;
  }

  /** Drops entries whose tokens have all expired. */
  forgetExpired(now = Date.now()): void {
    for (const [id, expiresAt] of this.sessions) if (expiresAt <= now) this.sessions.delete(id);
    for (const [id, entry] of this.users) if (entry.expiresAt <= now) this.users.delete(id);
  }

  get size(): number {
    return this.users.size + this.sessions.size;
  }
}
