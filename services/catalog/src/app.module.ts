import { DynamicModule, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JsonLogger, MetricsService, OutboxWorker, PlatformModule } from '@etsr/platform';
import { SeatingClient } from './clients/seating.client';
import { CatalogConfig } from './config';
import { EventsController } from './controllers/events.controller';
import { ImportController } from './controllers/import.controller';
import { VenuesController } from './controllers/venues.controller';
import { database } from './database';
import { AvailabilityRepository } from './repositories/availability.repository';
import { CatalogImportRepository } from './repositories/catalog-import.repository';
import { CatalogImportService } from './services/catalog-import.service';
import { EventsRepository } from './repositories/events.repository';
import { VenuesRepository } from './repositories/venues.repository';
import { AvailabilitySyncService } from './services/availability-sync.service';
import { CatalogMetrics } from './services/catalog-metrics';
import { EventStatusByDate } from './services/event-status-by-date.service';
import { EventsService } from './services/events.service';
import { SeatPlanHandoff } from './services/seat-plan-handoff';
import { VenuesService } from './services/venues.service';

@Module({})
export class AppModule {
  static forRoot(config: CatalogConfig, logger: JsonLogger): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ config, configClass: CatalogConfig, database, logger })],
      controllers: [VenuesController, EventsController, ImportController],
      providers: [
        VenuesRepository,
        EventsRepository,
        AvailabilityRepository,
        SeatingClient,
        CatalogMetrics,
        {
          provide: OutboxWorker,
          inject: [getDataSourceToken(), MetricsService],
          useFactory: (db: DataSource, metrics: MetricsService) => new OutboxWorker(db, logger, metrics, { pollIntervalMs: config.OUTBOX_POLL_INTERVAL_MS }),
        },
        SeatPlanHandoff,
        EventStatusByDate,
        VenuesService,
        EventsService,
        AvailabilitySyncService,
        CatalogImportRepository,
        CatalogImportService,
      ],
    };
  }
}
