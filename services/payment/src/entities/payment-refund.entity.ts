import { Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';
import { PaymentEntity } from './payment.entity';

/**
 * One refund of a payment, whole or partial. `refund_key` names it within its payment: asking
 * again with the same key is the same refund (idempotent), never a second one.
 */
@Entity('payment_refunds')
@Check('payment_refunds_amount_check', `amount_cents > 0`)
@Unique('payment_refunds_key', ['paymentId', 'refundKey'])
export class PaymentRefundEntity {
  @PrimaryColumn({ name: 'refund_id', type: 'varchar', length: 40, primaryKeyConstraintName: 'payment_refunds_pkey' })
  id: string;

  @Column({ name: 'payment_id', type: 'varchar', length: 40 })
  paymentId: string;

  @ManyToOne(() => PaymentEntity)
  @JoinColumn({ name: 'payment_id', foreignKeyConstraintName: 'payment_refunds_payment_fkey' })
  payment?: PaymentEntity;

  @Column({ name: 'refund_key', type: 'varchar', length: 100 })
  refundKey: string;

  @Column({ name: 'amount_cents', type: 'integer' })
  amountCents: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  reason: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
