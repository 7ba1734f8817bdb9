import 'reflect-metadata';
import { JsonLogger, RunningApp, loadConfig, startApp } from '@etsr/platform';
import { AppModule } from './app.module';
import { SeatingConfig } from './config';

/** Starts the seating service with the given environment (main.ts passes process.env; tests their own). */
export async function startSeatingService(env: NodeJS.ProcessEnv): Promise<RunningApp> {
  const config = loadConfig(SeatingConfig, { SERVICE_NAME: 'seating', PORT: '8082', ...env });
  const logger = new JsonLogger(config.SERVICE_NAME, config.LOG_LEVEL);
  return startApp(AppModule.forRoot(config, logger), config, logger, {
    title: 'Seating service',
    description: 'Seat plans, availability, race-free holds with a 15-minute expiry, allocation to paid orders and release.',
  });
}
