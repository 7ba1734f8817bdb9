/**
 * For the TypeORM CLI only (`npm run migration:generate -w services/payment -- src/migrations/<name>`
 * after a build): the same entities and migrations the service runs, on DATABASE_URL.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions, loadConfig } from '@etsr/platform';
import { PaymentConfig } from './config';
import { database } from './database';

export default new DataSource(
  dataSourceOptions(loadConfig(PaymentConfig, { SERVICE_NAME: 'payment', PORT: '0', ORDER_URL: 'http://127.0.0.1:4003', ...process.env }), database),
);
