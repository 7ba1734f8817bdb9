import 'reflect-metadata';
import { JsonLogger, RunningApp, loadConfig, startApp } from '@etsr/platform';
import { AppModule } from './app.module';
import { CatalogConfig } from './config';

/** Starts the catalog service with the given environment (main.ts passes process.env; tests their own). */
export async function startCatalogService(env: NodeJS.ProcessEnv): Promise<RunningApp> {
  const config = loadConfig(CatalogConfig, { SERVICE_NAME: 'catalog', PORT: '8000', ...env });
  const logger = new JsonLogger(config.SERVICE_NAME, config.LOG_LEVEL);
  return startApp(AppModule.forRoot(config, logger), config, logger, {
    title: 'Catalog service',
    description:
      'Venues, events and event search of the ticketing platform. Browsing needs no token; writes need an ADMIN access token. ' +
      'Bodies are snake_case, the public API\'s documented shape.',
  });
}
