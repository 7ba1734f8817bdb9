import { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { PEER_STARTUP_GRACE_MS, ServiceClient } from '../client/service-client';
import { ContextLogger } from '../logging/json-logger';
import { MetricsService } from '../metrics/metrics.service';
import { PeriodicTask } from '../tasks/periodic-task';
import { TokenRevocationPage, TokenRevocations } from './token-revocations';

/** Reads the feed after `cursor` (undefined: every revocation still relevant, for a fresh start). */
export type TokenRevocationSource = (cursor: number | undefined) => Promise<TokenRevocationPage>;

/** The user service's feed over HTTP, with this service's credential. */
export function userServiceRevocations(user: ServiceClient): TokenRevocationSource {
  return (cursor) =>
    user.request<TokenRevocationPage>({ method: 'GET', path: `/internal/v1/token-revocations${cursor === undefined ? '' : `?after=${cursor}`}`, idempotent: true });
}

/**
 * Keeps a process's `TokenRevocations` current: loads every still-relevant revocation before the
 * service starts answering, then asks for what is new every `intervalMs`. When the feed cannot be
 * reached the last known list stays in force (and grows no older than the access-token lifetime
 * in what it misses): requests are not refused because the user service is down, and
 * `token_revocations_feed_age_seconds` says how stale the list is.
 */
export class TokenRevocationFeed implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly task: PeriodicTask;
  private readonly startedAt = Date.now();
  private failing = false;
  private waiting = false;

  constructor(
    private readonly revocations: TokenRevocations,
    private readonly source: TokenRevocationSource,
    intervalMs: number,
    private readonly log: ContextLogger,
    metrics?: MetricsService,
  ) {
    this.task = new PeriodicTask('Token revocation feed', intervalMs, () => this.poll(), log);
    const feed = this;
    metrics?.gauge({
      name: 'token_revocations_feed_age_seconds',
      help: 'Seconds since the token revocation feed last answered (since start when it never has)',
      collect() {
        this.set((Date.now() - (feed.revocations.loadedAt ?? feed.startedAt)) / 1000);
      },
    });
    metrics?.gauge({
      name: 'token_revocations_known',
      help: 'Revoked sessions and users this process refuses tokens of',
      collect() {
        this.set(feed.revocations.size);
      },
    });
  }

  /** The first load is awaited, so a service that starts answering knows every revocation. */
  async onApplicationBootstrap(): Promise<void> {
    await this.poll();
    this.task.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** Asks for new entries now (after a revocation made by this process). */
  trigger(): void {
    this.task.trigger();
  }

  /** Reads every page after the cursor; a failure keeps what is known and is logged once until it heals. */
  async poll(): Promise<void> {
    try {
      let page: TokenRevocationPage;
      do {
        page = await this.source(this.revocations.cursor);
        this.revocations.apply(page);
      } while (page.more);
      this.revocations.forgetExpired();
      if (this.failing) this.log.info('Token revocation feed reachable again');
      this.failing = false;
    } catch (e) {
      // Services start side by side and the user service may answer a few seconds after the rest:
      // not yet worth a warning in every terminal, only if it lasts (PEER_STARTUP_GRACE_MS).
      if (this.revocations.loadedAt === undefined && Date.now() - this.startedAt < PEER_STARTUP_GRACE_MS) {
        if (!this.waiting) this.log.info('Token revocation feed not reachable yet; polling', { error: e instanceof Error ? e.message : String(e) });
        this.waiting = true;
        return;
      }
      if (!this.failing) {
        this.log.warn('Token revocation feed unreachable; the last known revocations stay in force', {
          error: e instanceof Error ? e.message : String(e),
          loadedAt: this.revocations.loadedAt === undefined ? null : new Date(this.revocations.loadedAt).toISOString(),
        });
      }
      this.failing = true;
    }
  }
}
