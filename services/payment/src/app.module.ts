import { DynamicModule, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IdempotencyStore, JsonLogger, MetricsService, OutboxWorker, PlatformModule } from '@etsr/platform';
import { OrderCallbackClient } from './clients/order-callback.client';
import { OrderClient } from './clients/order.client';
import { PaymentConfig } from './config';
import { ImportController } from './controllers/import.controller';
import { InternalController } from './controllers/internal.controller';
import { PaymentsController } from './controllers/payments.controller';
import { database } from './database';
import { GatewayModule } from './gateway/gateway.module';
import { PaymentImportRepository } from './repositories/payment-import.repository';
import { PaymentImportService } from './services/payment-import.service';
import { PaymentsRepository } from './repositories/payments.repository';
import { ChargeService } from './services/charge.service';
import { CALLBACK_LEASE_SECONDS, OrderCallbackService } from './services/order-callback.service';
import { PaymentMetrics } from './services/payment-metrics';
import { PaymentRecoveryService } from './services/payment-recovery.service';
import { PaymentsService } from './services/payments.service';
import { RefundsService } from './services/refunds.service';
import { SettlementService } from './services/settlement.service';

@Module({})
export class AppModule {
  static forRoot(config: PaymentConfig, logger: JsonLogger): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ config, configClass: PaymentConfig, database, logger }), GatewayModule.forRoot()],
      controllers: [PaymentsController, InternalController, ImportController],
      providers: [
        PaymentsRepository,
        PaymentImportRepository,
        PaymentImportService,
        OrderClient,
        OrderCallbackClient,
        PaymentMetrics,
        {
          provide: IdempotencyStore,
          inject: [DataSource],
          // A repeat waits for the first request (a gateway call and a few statements) before answering 409.
          useFactory: (db: DataSource) => new IdempotencyStore(db, { waitForFirstMs: Math.max(3000, config.GATEWAY_LATENCY_MS + 3000) }),
        },
        {
          // Its one topic, the callbacks to the order service, is registered by OrderCallbackService.
          provide: OutboxWorker,
          inject: [DataSource, MetricsService],
          useFactory: (db: DataSource, metrics: MetricsService) =>
            new OutboxWorker(db, logger, metrics, {
              pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS,
              leaseSeconds: CALLBACK_LEASE_SECONDS,
              baseDelayMs: config.CALLBACK_RETRY_BASE_MS,
              maxDelayMs: config.CALLBACK_RETRY_MAX_MS,
            }),
        },
        OrderCallbackService,
        SettlementService,
        ChargeService,
        PaymentsService,
        RefundsService,
        PaymentRecoveryService,
      ],
    };
  }
}
