import { DynamicModule, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JsonLogger, MetricsService, OutboxWorker, PlatformModule } from '@etsr/platform';
import { ServiceClients } from './clients/service-clients';
import { OrderConfig } from './config';
import { CallbacksController } from './controllers/callbacks.controller';
import { ImportController } from './controllers/import.controller';
import { InternalController } from './controllers/internal.controller';
import { OrdersController } from './controllers/orders.controller';
import { TicketsController } from './controllers/tickets.controller';
import { database } from './database';
import { OrderImportRepository } from './repositories/order-import.repository';
import { OrderImportService } from './services/order-import.service';
import { OrdersRepository } from './repositories/orders.repository';
import { OrderMetrics } from './services/order-metrics';
import { OrderStatusWaiter } from './services/order-status-waiter.service';
import { OrdersService } from './services/orders.service';
import { ReconcilerService } from './services/reconciler.service';
import { SagaDeliveries } from './services/saga-deliveries.service';
import { SagaService } from './services/saga.service';
import { TicketSigner } from './services/ticket-signer';
import { TicketsService } from './services/tickets.service';

@Module({})
export class AppModule {
  static forRoot(config: OrderConfig, logger: JsonLogger): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ config, configClass: OrderConfig, database, logger })],
      controllers: [OrdersController, CallbacksController, TicketsController, InternalController, ImportController],
      providers: [
        OrdersRepository,
        ServiceClients,
        OrderMetrics,
        { provide: TicketSigner, useValue: new TicketSigner(config.TICKET_SIGNING_KEY) },
        {
          provide: OutboxWorker,
          inject: [getDataSourceToken(), MetricsService],
          useFactory: (db: DataSource, metrics: MetricsService) => new OutboxWorker(db, logger, metrics, { pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS }),
        },
        SagaDeliveries,
        SagaService,
        OrderStatusWaiter,
        OrdersService,
        TicketsService,
        ReconcilerService,
        OrderImportRepository,
        OrderImportService,
      ],
    };
  }
}
