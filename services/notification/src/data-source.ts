/**
 * For the TypeORM CLI only (`npm run migration:generate -w services/notification -- src/migrations/<name>`
 * after a build): the same entities and migrations the service runs, on DATABASE_URL.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions, loadConfig } from '@etsr/platform';
import { NotificationConfig } from './config';
import { database } from './database';

export default new DataSource(
  dataSourceOptions(
    loadConfig(NotificationConfig, { SERVICE_NAME: 'notification', PORT: '0', SMTP_URL: 'smtp://127.0.0.1:1025', ...process.env }),
    database,
  ),
);
