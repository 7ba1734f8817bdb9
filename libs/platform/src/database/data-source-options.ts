import { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import { BaseConfig } from '../config/base-config';
import { PreparingClient } from './preparing-client';

export interface DatabaseDefinition {
  // eslint-disable-next-line @typescript-eslint/ban-types
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/ban-types
  migrations: MixedList<Function | string>;
}

/** The TypeORM options every service uses: migrations only (never synchronize), a bounded pool. */
export function dataSourceOptions(config: BaseConfig, db: DatabaseDefinition): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.DATABASE_URL,
    entities: db.entities,
    migrations: db.migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: `${config.SERVICE_NAME}-service`,
    poolSize: config.DB_POOL_SIZE,
    extra: {
      max: config.DB_POOL_SIZE,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      statement_timeout: config.DB_STATEMENT_TIMEOUT_MS,
      // pg-pool creates its connections with this class (pg's own Client when not preparing).
      ...(config.DB_PREPARED_STATEMENTS ? { Client: PreparingClient } : {}),
    },
  };
}
