import { OnModuleDestroy } from '@nestjs/common';
import { Pool } from 'pg';
import { BaseConfig } from '../config/base-config';

/**
 * The health check's own connection to the service's database, outside the request pool. Through
 * the pool, /health queued behind whatever held every connection (100 sign-ups at once: 0.5 s;
 * requests waiting on a row lock: 503 DOWN though the database answered), so it measured the pool,
 * not the database, and an orchestrator would restart a busy but healthy service.
 */
export class DatabaseProbe implements OnModuleDestroy {
  private readonly pool: Pool;

  constructor(config: BaseConfig, timeoutMs: number) {
    this.pool = new Pool({
      connectionString: config.DATABASE_URL,
      max: 1,
      connectionTimeoutMillis: timeoutMs,
      statement_timeout: timeoutMs,
      application_name: `${config.SERVICE_NAME}-service-health`,
    });
    // An idle connection the server closed: the next probe opens another.
    this.pool.on('error', () => undefined);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  onModuleDestroy(): Promise<void> {
    return this.pool.end();
  }
}
