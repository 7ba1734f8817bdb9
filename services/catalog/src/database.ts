import { DatabaseDefinition } from '@etsr/platform';
import { AvailabilitySyncStateEntity } from './entities/availability-sync-state.entity';
import { EventEntity } from './entities/event.entity';
import { VenueEntity } from './entities/venue.entity';
import { CreateCatalog1763800000000 } from './migrations/1763800000000-create-catalog';
import { ImportRefs1764200000000 } from './migrations/1764200000000-import-refs';
import { SeatPlanOutbox1765000000000 } from './migrations/1765000000000-seat-plan-outbox';

/** Entities and migrations of catalogdb, in the order they apply. */
export const database: DatabaseDefinition = {
  entities: [VenueEntity, EventEntity, AvailabilitySyncStateEntity],
  migrations: [CreateCatalog1763800000000, ImportRefs1764200000000, SeatPlanOutbox1765000000000],
};
