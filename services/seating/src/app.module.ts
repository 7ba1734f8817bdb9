import { DynamicModule, Module } from '@nestjs/common';
import { JsonLogger, PlatformModule } from '@etsr/platform';
import { CatalogClient } from './clients/catalog.client';
import { SeatingConfig } from './config';
import { ImportController } from './controllers/import.controller';
import { InternalController } from './controllers/internal.controller';
import { ReservationsController } from './controllers/reservations.controller';
import { SeatMapRevalidationHook } from './controllers/seat-map-revalidation.hook';
import { QueueController } from './controllers/queue.controller';
import { SeatsController } from './controllers/seats.controller';
import { database } from './database';
import { ReservationsRepository } from './repositories/reservations.repository';
import { HoldBatchRepository } from './repositories/hold-batch.repository';
import { SeatImportRepository } from './repositories/seat-import.repository';
import { SeatImportService } from './services/seat-import.service';
import { SeatChangesListener } from './repositories/seat-changes.listener';
import { SaleQueueRepository } from './repositories/sale-queue.repository';
import { SeatsRepository } from './repositories/seats.repository';
import { BestAvailableAllocator } from './services/best-available-allocator.service';
import { AvailabilityService } from './services/availability.service';
import { HoldSweeperService } from './services/hold-sweeper.service';
import { ReservationsService } from './services/reservations.service';
import { SeatFeedService } from './services/seat-feed.service';
import { SeatMapService } from './services/seat-map.service';
import { SeatPlanService } from './services/seat-plan.service';
import { SeatingMetrics } from './services/seating-metrics';
import { SeatsAdminService } from './services/seats-admin.service';
import { WaitingRoomService } from './services/waiting-room.service';

@Module({})
export class AppModule {
  static forRoot(config: SeatingConfig, logger: JsonLogger): DynamicModule {
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot({ config, configClass: SeatingConfig, database, logger })],
      // ReservationsController before SeatsController: /v1/seats/reservation/... is not a seat id.
      controllers: [ReservationsController, QueueController, SeatsController, InternalController, ImportController],
      providers: [
        SeatsRepository,
        ReservationsRepository,
        CatalogClient,
        SeatingMetrics,
        AvailabilityService,
        SeatPlanService,
        SeatsAdminService,
        HoldBatchRepository,
        BestAvailableAllocator,
        ReservationsService,
        HoldSweeperService,
        SeatImportRepository,
        SeatImportService,
        SeatChangesListener,
        SeatMapService,
        SeatFeedService,
        SeatMapRevalidationHook,
        SaleQueueRepository,
        WaitingRoomService,
      ],
    };
  }
}
