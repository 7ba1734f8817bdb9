/**
 * For the TypeORM CLI only (`npm run migration:generate -w services/catalog -- src/migrations/<name>`
 * after a build): the same entities and migrations the service runs, on DATABASE_URL.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions, loadConfig } from '@etsr/platform';
import { CatalogConfig } from './config';
import { database } from './database';

export default new DataSource(
  dataSourceOptions(loadConfig(CatalogConfig, { SERVICE_NAME: 'catalog', PORT: '0', ...process.env }), database),
);
