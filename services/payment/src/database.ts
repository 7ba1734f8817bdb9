import { DatabaseDefinition } from '@etsr/platform';
import { PaymentEntity } from './entities/payment.entity';
import { CreatePayments1763950000000 } from './migrations/1763950000000-create-payments';
import { ImportedPayments1764200000000 } from './migrations/1764200000000-imported-payments';
import { IdempotencyKeyLookup1765500000000 } from './migrations/1765500000000-idempotency-key-lookup';
import { IdempotencyLease1765900000000 } from './migrations/1765900000000-idempotency-lease';

/** Entities and migrations of paymentsdb, in the order they apply. */
export const database: DatabaseDefinition = {
  entities: [PaymentEntity],
  migrations: [CreatePayments1763950000000, ImportedPayments1764200000000, IdempotencyKeyLookup1765500000000, IdempotencyLease1765900000000],
};
