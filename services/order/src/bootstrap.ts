import 'reflect-metadata';
import { JsonLogger, RunningApp, loadConfig, startApp } from '@etsr/platform';
import { AppModule } from './app.module';
import { DEV_CALLBACK_SECRET, DEV_TICKET_SIGNING_KEY, OrderConfig } from './config';

/** Starts the order service with the given environment (main.ts passes process.env; tests their own). */
export async function startOrderService(env: NodeJS.ProcessEnv): Promise<RunningApp> {
  const config = loadConfig(OrderConfig, { SERVICE_NAME: 'order', PORT: '4003', ...env }, {
    CALLBACK_SECRET: DEV_CALLBACK_SECRET,
    TICKET_SIGNING_KEY: DEV_TICKET_SIGNING_KEY,
  });
  const logger = new JsonLogger(config.SERVICE_NAME, config.LOG_LEVEL);
  return startApp(AppModule.forRoot(config, logger), config, logger, {
    title: 'Order service',
    description: 'Orders and the booking saga: reserve, charge, signed payment callback, allocate seats, issue tickets with signed QR codes, notify.',
  });
}
