import { DatabaseDefinition } from '@etsr/platform';
import { ReservationEntity } from './entities/reservation.entity';
import { SeatPlanChangeEntity } from './entities/seat-plan-change.entity';
import { SeatEntity } from './entities/seat.entity';
import { CreateSeating1763800000000 } from './migrations/1763800000000-create-seating';
import { ReserveSeatsGenericPlan1763800000001 } from './migrations/1763800000001-reserve-seats-generic-plan';
import { SeatSegments1764700000100 } from './migrations/1764700000100-seat-segments';
import { SeatChangeNotify1764700000200 } from './migrations/1764700000200-seat-change-notify';
import { SaleQueues1765000000000 } from './migrations/1765000000000-sale-queues';

/** Entities and migrations of seatingdb, in the order they apply. */
export const database: DatabaseDefinition = {
  entities: [SeatEntity, ReservationEntity, SeatPlanChangeEntity],
  migrations: [CreateSeating1763800000000, ReserveSeatsGenericPlan1763800000001, SeatSegments1764700000100, SeatChangeNotify1764700000200, SaleQueues1765000000000],
};
