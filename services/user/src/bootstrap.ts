import 'reflect-metadata';
import { JsonLogger, RunningApp, loadConfig, startApp } from '@etsr/platform';
import { AppModule } from './app.module';
import { DEV_ADMIN_PASSWORD, UserConfig } from './config';

/** Starts the user service with the given environment (main.ts passes process.env; tests their own). */
export async function startUserService(env: NodeJS.ProcessEnv): Promise<RunningApp> {
  const config = loadConfig(UserConfig, { SERVICE_NAME: 'user', PORT: '8081', ...env }, { ADMIN_PASSWORD: DEV_ADMIN_PASSWORD });
  const logger = new JsonLogger(config.SERVICE_NAME, config.LOG_LEVEL);
  return startApp(AppModule.forRoot(config, logger), config, logger, {
    title: 'User service',
    description: 'Registration, login, refresh tokens, profiles and account administration of the ticketing platform.',
  });
}
