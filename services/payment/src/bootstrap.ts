import 'reflect-metadata';
import { JsonLogger, RunningApp, loadConfig, startApp } from '@etsr/platform';
import { AppModule } from './app.module';
import { DEV_CALLBACK_SECRET, PaymentConfig, checkPaymentConfig } from './config';

/** Starts the payment service with the given environment (main.ts passes process.env; tests their own). */
export async function startPaymentService(env: NodeJS.ProcessEnv): Promise<RunningApp> {
  const config = checkPaymentConfig(loadConfig(PaymentConfig, { SERVICE_NAME: 'payment', PORT: '4004', ...env }, { CALLBACK_SECRET: DEV_CALLBACK_SECRET }));
  const logger = new JsonLogger(config.SERVICE_NAME, config.LOG_LEVEL);
  return startApp(AppModule.forRoot(config, logger), config, logger, {
    title: 'Payment service',
    description:
      'Idempotent charges of orders against a pluggable payment gateway (simulated), refunds, and signed callbacks of every payment result to the order service.',
  });
}
