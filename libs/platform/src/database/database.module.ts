import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BaseConfig } from '../config/base-config';
import { JsonLogger } from '../logging/json-logger';
import { DatabaseDefinition, dataSourceOptions } from './data-source-options';
import { ensureDatabase } from './ensure-database';
import { runMigrationsLocked } from './migrate';

/**
 * TypeORM for one service: database created if missing, migrations run (locked) before the app
 * takes traffic, pool closed on shutdown by TypeOrmModule.
 */
@Module({})
export class DatabaseModule {
  static forRoot(config: BaseConfig, db: DatabaseDefinition, logger: JsonLogger): DynamicModule {
    const log = logger.forContext('Database');
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions(config, db),
            retryAttempts: config.DB_CONNECT_RETRIES,
            retryDelay: 1000,
            autoLoadEntities: false,
          }),
          dataSourceFactory: async (options) => {
            await ensureDatabase(config.DATABASE_URL);
            const dataSource = await new DataSource(options!).initialize();
            try {
              await runMigrationsLocked(dataSource, log);
            } catch (e) {
              await dataSource.destroy();
              throw e;
            }
            return dataSource;
          },
        }),
      ],
      exports: [TypeOrmModule],
    };
  }
}
