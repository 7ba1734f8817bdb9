import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sqlRows, tooManyRequests } from '@etsr/platform';

export interface WindowCount {
  attempts: number;
  /** Seconds until the current window ends. */
  resetsInSeconds: number;
}

/**
 * Fixed-window counters in PostgreSQL, shared by every replica. One upsert counts an attempt and
 * returns the new count, so concurrent attempts cannot slip past the limit.
 */
@Injectable()
export class LoginThrottleRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async hit(key: string, windowSeconds: number): Promise<WindowCount> {
    const [row] = await sqlRows<{ attempts: number; resets_in: string }>(
      this.dataSource,
      `INSERT INTO login_throttle AS t (key, window_start, attempts) VALUES ($1, now(), 1)
       ON CONFLICT (key) DO UPDATE SET
         attempts     = CASE WHEN t.window_start <= now() - make_interval(secs => $2) THEN 1 ELSE t.attempts + 1 END,
         window_start = CASE WHEN t.window_start <= now() - make_interval(secs => $2) THEN now() ELSE t.window_start END
       RETURNING attempts, EXTRACT(EPOCH FROM (window_start + make_interval(secs => $2) - now())) AS resets_in`,
      [key, windowSeconds],
    );
    return { attempts: row.attempts, resetsInSeconds: Math.max(1, Math.ceil(Number(row.resets_in))) };
  }

  /**
   * Counts an attempt under `key` and refuses it with 429 (Retry-After: the rest of the window)
   * when it is more than `max` in the window; `what` names the attempts in the message
   * ("login attempts", "registrations from this address").
   */
  async enforce(key: string, max: number, windowSeconds: number, what: string): Promise<void> {
    const count = await this.hit(key, windowSeconds);
    if (count.attempts > max) throw tooManyRequests(`Too many ${what}; retry in ${count.resetsInSeconds} s`, count.resetsInSeconds);
  }

  async reset(key: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_throttle WHERE key = $1`, [key]);
  }

  /** Windows that ended long ago; keeps the table small. */
  async deleteExpired(maxWindowSeconds: number): Promise<void> {
    await this.dataSource.query(`DELETE FROM login_throttle WHERE window_start < now() - make_interval(secs => $1)`, [maxWindowSeconds]);
  }
}
