import { DatabaseDefinition } from '@etsr/platform';
import { CreateOrders1763900000000 } from './migrations/1763900000000-create-orders';
import { OrderEventName1763900000001 } from './migrations/1763900000001-order-event-name';
import { ImportedOrders1764200000000 } from './migrations/1764200000000-imported-orders';
import { IdempotencyLease1765900000000 } from './migrations/1765900000000-idempotency-lease';
import { PartiallyRefunded1766000000000 } from './migrations/1766000000000-partially-refunded';
import { AllocatingStatus1766100000000 } from './migrations/1766100000000-allocating-status';

/**
 * orderdb's migrations. The service reads and writes with SQL (OrdersRepository), so TypeORM needs
 * no entities here; the tables are defined by the migrations alone.
 */
export const database: DatabaseDefinition = {
  entities: [],
  migrations: [CreateOrders1763900000000, OrderEventName1763900000001, ImportedOrders1764200000000, IdempotencyLease1765900000000, PartiallyRefunded1766000000000, AllocatingStatus1766100000000],
};
