import { DynamicModule, Module } from '@nestjs/common';
import { JsonLogger, PlatformModule } from '@etsr/platform';
import { SeatingClient } from './clients/seating.client';
import { CatalogConfig } from './config';
import { EventsController } from './controllers/events.controller';
import { ImportController } from './controllers/import.controller';
import { VenuesController } from './controllers/venues.controller';
import { database } from './database';
import { AvailabilityRepository } from './repositories/availability.repository';
import { CatalogImportRepository } from './repositories/catalog-import.repository';
import { EventsRepository } from './repositories/events.repository';
import { VenuesRepository } from './repositories/venues.repository';
import { AvailabilitySyncService } from './services/availability-sync.service';
import { CatalogMetrics } from './services/catalog-metrics';
import { EventsService } from './services/events.service';
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
        VenuesService,
        EventsService,
        AvailabilitySyncService,
        CatalogImportRepository,
      ],
    };
  }
}
