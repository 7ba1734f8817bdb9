import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { numberColumn } from '@etsr/platform';
import type { PaymentMethod } from '../config';

export type PaymentStatus = 'PENDING' | 'SUCCESS' | 'FAILED' | 'REFUNDED';
export const PAYMENT_STATUSES: PaymentStatus[] = ['PENDING', 'SUCCESS', 'FAILED', 'REFUNDED'];


/**
 * One attempt to pay an order (with the owner, the refund and the key that made it).
 * PENDING → SUCCESS | FAILED; SUCCESS → REFUNDED. Rows are written by SQL in PaymentsRepository;
 * the entity describes the schema (the migration builds exactly this, a test checks it).
 */
@Entity('payments')
@Check('payments_status_check', `status IN ('PENDING', 'SUCCESS', 'FAILED', 'REFUNDED')`)
@Check('payments_amount_check', `amount_cents > 0`)
@Check('payments_currency_check', `currency ~ '^[A-Z]{3}$'`)
@Check('payments_method_check', `payment_method IN ('UPI', 'CREDIT_CARD', 'DEBIT_CARD', 'WALLET', 'NETBANKING', 'TEST_DECLINE')`)
@Check('payments_failure_check', `status <> 'FAILED' OR failure_reason IS NOT NULL`)
@Check('payments_refund_check', `(status = 'REFUNDED') = (refund_id IS NOT NULL AND refunded_at IS NOT NULL)`)
// At most one payment of an order that is not FAILED: the index decides between racing charges.
@Index('payments_order_active_key', { synchronize: false })
// A key names one payment of its owner (the Idempotency-Key scope is the order's owner).
@Index('payments_idempotency_key', { synchronize: false })
@Index('payments_order_idx', { synchronize: false })
@Index('payments_pending_idx', { synchronize: false })
@Index('payments_created_idx', { synchronize: false })
@Index('payments_status_created_idx', { synchronize: false })
export class PaymentEntity {
  /** pay_<22 base64url characters>: 128 random bits. */
  @PrimaryColumn({ name: 'payment_id', type: 'varchar', length: 40, primaryKeyConstraintName: 'payments_pkey' })
  id: string;

  @Column({ name: 'merchant_order_id', type: 'uuid' })
  merchantOrderId: string;

  /** The order's owner, as the order service said when the payment was made. */
  @Column({ name: 'user_id', type: 'bigint', transformer: numberColumn })
  userId: number;

  @Column({ name: 'amount_cents', type: 'integer' })
  amountCents: number;

  @Column({ type: 'varchar', length: 3, default: 'INR' })
  currency: string;

  @Column({ type: 'varchar', length: 20, default: 'PENDING' })
  status: PaymentStatus;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255 })
  idempotencyKey: string;

  @Column({ name: 'payment_method', type: 'varchar', length: 20 })
  paymentMethod: PaymentMethod;

  @Column({ name: 'transaction_id', type: 'varchar', length: 100, nullable: true })
  transactionId: string | null;

  @Column({ name: 'failure_reason', type: 'text', nullable: true })
  failureReason: string | null;

  @Column({ name: 'refund_id', type: 'varchar', length: 40, nullable: true })
  refundId: string | null;

  @Column({ name: 'refund_reason', type: 'varchar', length: 500, nullable: true })
  refundReason: string | null;

  @Column({ name: 'refunded_at', type: 'timestamptz', nullable: true })
  refundedAt: Date | null;

  /** '<source>:payments:<id>' of a payment loaded by the importer (history: never charged, no callback). */
  @Index('payments_external_ref_key', { unique: true })
  @Column({ name: 'external_ref', type: 'varchar', length: 200, nullable: true })
  externalRef: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
