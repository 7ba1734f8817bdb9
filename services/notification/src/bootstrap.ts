import 'reflect-metadata';
import { JsonLogger, RunningApp, loadConfig, startApp } from '@etsr/platform';
import { AppModule } from './app.module';
import { NotificationConfig, finishNotificationConfig } from './config';

export interface StartOptions {
  /** Where log lines go (tests read them); stdout by default. */
  logDestination?: ConstructorParameters<typeof JsonLogger>[2];
}

/** Starts the notification service with the given environment (main.ts passes process.env; tests their own). */
export async function startNotificationService(env: NodeJS.ProcessEnv, options: StartOptions = {}): Promise<RunningApp> {
  const config = finishNotificationConfig(loadConfig(NotificationConfig, { SERVICE_NAME: 'notification', PORT: '4005', ...env }));
  const logger = new JsonLogger(config.SERVICE_NAME, config.LOG_LEVEL, options.logDestination);
  return startApp(AppModule.forRoot(config, logger), config, logger, {
    title: 'Notification service',
    description:
      'E-mail (SMTP, with QR-code tickets) and SMS notifications of orders. Events are received idempotently by eventId, ' +
      'stored, and delivered in the background with retries.',
  });
}
