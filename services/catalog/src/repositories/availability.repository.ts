import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryRunner } from 'typeorm';
import { releaseConnection, sqlRows } from '@etsr/platform';

/** Session advisory lock of the availability sync: "ctlg" in ASCII, then 1. Per database. */
const SYNC_LOCK = [0x6374_6c67, 1];

export interface SyncState {
  /** changedSince for the next delta request; null when the next request must be a full one. */
  changedSince: Date | null;
  runsSinceFull: number;
  /** False when another replica finished a cycle less than the interval ago. */
  due: boolean;
}

export interface SeatCount {
  eventId: number;
  availableSeats: number;
}

/** What one cycle leaves for the next: where to continue, and how many delta runs since the last full one. */
export interface SyncProgress {
  changedSince: Date;
  runsSinceFull: number;
}

/** The database side of the availability sync: its lock, its shared state, and the one UPDATE. */
@Injectable()
export class AvailabilityRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Runs `work` while holding the sync's session advisory lock, on a connection of its own. When
   * another replica holds the lock, does nothing and answers { locked: false }. If unlocking fails,
   * the connection is destroyed instead of going back to the pool still holding the lock.
   */
  async withSyncLock<T>(work: (session: SyncSession) => Promise<T>): Promise<{ locked: false } | { locked: true; result: T }> {
    const runner = this.dataSource.createQueryRunner();
    let broken: Error | undefined;
    try {
      await runner.connect();
      const [{ locked }] = await sqlRows<{ locked: boolean }>(runner.manager, 'SELECT pg_try_advisory_lock($1, $2) AS locked', SYNC_LOCK);
      if (!locked) return { locked: false };
      try {
        return { locked: true, result: await work(new SyncSession(runner)) };
      } finally {
        try {
          await runner.query('SELECT pg_advisory_unlock($1, $2)', SYNC_LOCK);
        } catch (e) {
          broken = e instanceof Error ? e : new Error(String(e));
        }
      }
    } finally {
      await releaseConnection(runner, broken);
    }
  }

  /** When a replica last completed a cycle (any replica): for the freshness metric. */
  async lastRunAt(): Promise<Date | null> {
    const [row] = await sqlRows<{ last_run_at: Date | null }>(this.dataSource, `SELECT last_run_at FROM availability_sync_state WHERE id = 1`);
    return row?.last_run_at ?? null;
  }
}

/** The sync's statements, on the connection that holds the lock. */
export class SyncSession {
  constructor(private readonly runner: QueryRunner) {}

  /** The shared state; `due` is computed on the database clock, the same for every replica. */
  async readState(minGapMs: number): Promise<SyncState> {
    const [row] = await sqlRows<{ changed_since: Date | null; runs_since_full: number; due: boolean }>(
      this.runner.manager,
      `SELECT changed_since, runs_since_full, (last_run_at IS NULL OR last_run_at <= now() - make_interval(secs => $1)) AS due
         FROM availability_sync_state WHERE id = 1`,
      [minGapMs / 1000],
    );
    return row ? { changedSince: row.changed_since, runsSinceFull: row.runs_since_full, due: row.due } : { changedSince: null, runsSinceFull: 0, due: true };
  }

  /**
   * Sets available_seats of the listed events catalog knows (others are ignored) in one
   * UPDATE ... FROM unnest(...), never above the event's total_seats nor below 0, and records the
   * progress, in one transaction. Counts are absolute, so applying the same list twice is harmless.
   * Answers the ids of the events whose available_seats changed.
   */
  async apply(counts: SeatCount[], progress: SyncProgress): Promise<number[]> {
    const latest = new Map<number, number>();
    for (const c of counts) latest.set(c.eventId, c.availableSeats);
    const ids = [...latest.keys()].sort((a, b) => a - b);
    await this.runner.startTransaction();
    try {
      const changed = ids.length
        ? await sqlRows<{ event_id: string }>(
            this.runner.manager,
            `UPDATE events e
                SET available_seats = LEAST(GREATEST(u.available_seats, 0), e.total_seats)
               FROM unnest($1::bigint[], $2::int[]) AS u(event_id, available_seats)
              WHERE e.event_id = u.event_id
                AND e.available_seats <> LEAST(GREATEST(u.available_seats, 0), e.total_seats)
          RETURNING e.event_id`,
            [ids, ids.map((id) => latest.get(id))],
          )
        : [];
      await this.runner.query(
        `INSERT INTO availability_sync_state (id, changed_since, runs_since_full, last_run_at) VALUES (1, $1, $2, now())
         ON CONFLICT (id) DO UPDATE SET changed_since = EXCLUDED.changed_since, runs_since_full = EXCLUDED.runs_since_full, last_run_at = EXCLUDED.last_run_at`,
        [progress.changedSince, progress.runsSinceFull],
      );
      await this.runner.commitTransaction();
      return changed.map((r) => Number(r.event_id));
    } catch (e) {
      await this.runner.rollbackTransaction().catch(() => undefined);
      throw e;
    }
  }
}


