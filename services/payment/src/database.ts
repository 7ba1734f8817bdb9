import { DatabaseDefinition } from '@etsr/platform';
import { PaymentRefundEntity } from './entities/payment-refund.entity';
import { PaymentEntity } from './entities/payment.entity';
import { CreatePayments1763950000000 } from './migrations/1763950000000-create-payments';
import { ImportedPayments1764200000000 } from './migrations/1764200000000-imported-payments';
import { IdempotencyKeyLookup1765500000000 } from './migrations/1765500000000-idempotency-key-lookup';
import { IdempotencyLease1765900000000 } from './migrations/1765900000000-idempotency-lease';
import { PartialRefunds1766000000000 } from './migrations/1766000000000-partial-refunds';

/** Entities and migrations of paymentsdb, in the order they apply. */
export const database: DatabaseDefinition = {
  entities: [PaymentEntity, PaymentRefundEntity],
  migrations: [CreatePayments1763950000000, ImportedPayments1764200000000, IdempotencyKeyLookup1765500000000, IdempotencyLease1765900000000, PartialRefunds1766000000000],
};
