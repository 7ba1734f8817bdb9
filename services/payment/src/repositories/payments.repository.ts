import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { sqlRows } from '@etsr/platform';
import { PaymentMethod } from '../config';
import { PaymentRefundEntity } from '../entities/payment-refund.entity';
import { PaymentEntity, PaymentStatus } from '../entities/payment.entity';
import { GatewayOutcome } from '../gateway/payment-gateway';

export interface NewPayment {
  id: string;
  merchantOrderId: string;
  userId: number;
  amountCents: number;
  currency: string;
  paymentMethod: PaymentMethod;
  idempotencyKey: string;
}

export interface PaymentFilter {
  status?: PaymentStatus;
  merchantOrderId?: string;
  from?: Date;
  to?: Date;
  offset: number;
  limit: number;
}

const COLUMNS = `payment_id AS id, merchant_order_id AS "merchantOrderId", user_id AS "userId", amount_cents AS "amountCents",
  currency, status, idempotency_key AS "idempotencyKey", payment_method AS "paymentMethod", transaction_id AS "transactionId",
  failure_reason AS "failureReason", refund_id AS "refundId", refund_reason AS "refundReason", refunded_at AS "refundedAt",
  refunded_cents AS "refundedCents", created_at AS "createdAt", updated_at AS "updatedAt"`;
const REFUND_COLUMNS = `refund_id AS id, payment_id AS "paymentId", refund_key AS "refundKey", amount_cents AS "amountCents", reason, created_at AS "createdAt"`;

const toPayment = (r: Record<string, unknown>): PaymentEntity => Object.assign(new PaymentEntity(), r, { userId: Number(r.userId) });
const toRefund = (r: Record<string, unknown>): PaymentRefundEntity => Object.assign(new PaymentRefundEntity(), r);

/** A refund as recorded: the payment after it and the refund's row. */
export interface RecordedRefund {
  payment: PaymentEntity;
  refund: PaymentRefundEntity;
}

/**
 * The payments table. Every state change is one conditional UPDATE (… WHERE status = the state it
 * leaves), so racing writers (a charge and the recovery worker, two refunds) cannot both apply it.
 * The callers enqueue the order service's callback in the same transaction (OrderCallbackService).
 */
@Injectable()
export class PaymentsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Inserts a PENDING payment in `tx`; null when a unique index stopped it (one live payment per
   * order, one payment per owner's key): the caller looks which with findByKey / findLive. DO
   * NOTHING rather than an error, so the transaction stays usable for that look-up.
   */
  async insertPending(tx: EntityManager, p: NewPayment): Promise<PaymentEntity | null> {
    const [row] = await sqlRows(
      tx,
      `INSERT INTO payments (payment_id, merchant_order_id, user_id, amount_cents, currency, payment_method, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
      [p.id, p.merchantOrderId, p.userId, p.amountCents, p.currency, p.paymentMethod, p.idempotencyKey],
    );
    return row ? toPayment(row) : null;
  }

  async findById(id: string, tx: DataSource | EntityManager = this.db): Promise<PaymentEntity | null> {
    const [row] = await sqlRows(tx, `SELECT ${COLUMNS} FROM payments WHERE payment_id = $1`, [id]);
    return row ? toPayment(row) : null;
  }

  /** The payment an owner's Idempotency-Key made, if any. */
  async findByKey(userId: number, key: string, tx: DataSource | EntityManager = this.db): Promise<PaymentEntity | null> {
    const [row] = await sqlRows(tx, `SELECT ${COLUMNS} FROM payments WHERE user_id = $1 AND idempotency_key = $2`, [userId, key]);
    return row ? toPayment(row) : null;
  }

  /** The order's payment that is not FAILED (at most one, by the unique index). */
  async findLive(merchantOrderId: string, tx: DataSource | EntityManager = this.db): Promise<PaymentEntity | null> {
    const [row] = await sqlRows(
      tx,
      `SELECT ${COLUMNS} FROM payments WHERE merchant_order_id = $1 AND status IN ('PENDING', 'SUCCESS', 'REFUNDED')`,
      [merchantOrderId],
    );
    return row ? toPayment(row) : null;
  }

  /** Every payment of an order, newest first. */
  async listForOrder(merchantOrderId: string): Promise<PaymentEntity[]> {
    const rows = await sqlRows(this.db, `SELECT ${COLUMNS} FROM payments WHERE merchant_order_id = $1 ORDER BY created_at DESC, payment_id DESC`, [
      merchantOrderId,
    ]);
    return rows.map(toPayment);
  }

  async list(filter: PaymentFilter): Promise<{ payments: PaymentEntity[]; total: number }> {
    const where = `($1::varchar IS NULL OR status = $1) AND ($2::uuid IS NULL OR merchant_order_id = $2)
       AND ($3::timestamptz IS NULL OR created_at >= $3) AND ($4::timestamptz IS NULL OR created_at < $4)`;
    const params = [filter.status ?? null, filter.merchantOrderId ?? null, filter.from ?? null, filter.to ?? null];
    const [rows, [count]] = await Promise.all([
      sqlRows(this.db, `SELECT ${COLUMNS} FROM payments WHERE ${where} ORDER BY created_at DESC, payment_id DESC LIMIT $5 OFFSET $6`, [
        ...params,
        filter.limit,
        filter.offset,
      ]),
      sqlRows<{ n: string }>(this.db, `SELECT count(*) AS n FROM payments WHERE ${where}`, params),
    ]);
    return { payments: rows.map(toPayment), total: Number(count.n) };
  }

  /**
   * Payments left PENDING for `olderThanSeconds` (the process died between the gateway and the
   * update), locked with SKIP LOCKED so replicas split them; `decide` asks the gateway what became
   * of each (null: not known yet, left PENDING); `alongside` writes what goes with each settlement
   * (its callback, the charge's stored answer), in `tx`: the caller's transaction, one per batch.
   */
  async recoverStale<T>(
    tx: EntityManager,
    olderThanSeconds: number,
    limit: number,
    decide: (p: PaymentEntity) => Promise<GatewayOutcome | null>,
    alongside: (tx: EntityManager, settled: PaymentEntity) => Promise<T>,
  ): Promise<{ seen: number; settled: T[] }> {
    const stale = (
      await sqlRows(
        tx,
        `SELECT ${COLUMNS} FROM payments WHERE status = 'PENDING' AND created_at < now() - make_interval(secs => $1)
          ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [olderThanSeconds, limit],
      )
    ).map(toPayment);
    const settled: T[] = [];
    for (const p of stale) {
      const outcome = await decide(p);
      if (!outcome) continue;
      const done = await this.settleIn(tx, p.id, outcome);
      if (done) settled.push(await alongside(tx, done));
    }
    return { seen: stale.length, settled };
  }

  /** The payment, locked until `tx` ends: refunds of one payment take turns. */
  async lockForRefund(tx: EntityManager, id: string): Promise<PaymentEntity | null> {
    const [row] = await sqlRows(tx, `SELECT ${COLUMNS} FROM payments WHERE payment_id = $1 FOR UPDATE`, [id]);
    return row ? toPayment(row) : null;
  }

  async findRefund(tx: EntityManager, paymentId: string, refundKey: string): Promise<PaymentRefundEntity | null> {
    const [row] = await sqlRows(tx, `SELECT ${REFUND_COLUMNS} FROM payment_refunds WHERE payment_id = $1 AND refund_key = $2`, [paymentId, refundKey]);
    return row ? toRefund(row) : null;
  }

  /**
   * Records a refund the gateway made, in `tx` (which holds the payment's lock): its row, and the
   * payment's refunded_cents, by a conditional update that cannot take the sum past the amount.
   * The refund that completes the sum makes the payment REFUNDED. Null when the refund does not
   * fit (it cannot, under the lock; the CHECK would refuse it anyway).
   */
  async recordRefund(tx: EntityManager, p: PaymentEntity, refundId: string, refundKey: string, amountCents: number, reason: string | null): Promise<RecordedRefund | null> {
    const [row] = await sqlRows(
      tx,
      `UPDATE payments SET refunded_cents = refunded_cents + $2, updated_at = now(),
              status = CASE WHEN refunded_cents + $2 = amount_cents THEN 'REFUNDED' ELSE status END,
              refund_id = CASE WHEN refunded_cents + $2 = amount_cents THEN $3 ELSE refund_id END,
              refund_reason = CASE WHEN refunded_cents + $2 = amount_cents THEN $4 ELSE refund_reason END,
              refunded_at = CASE WHEN refunded_cents + $2 = amount_cents THEN now() ELSE refunded_at END
        WHERE payment_id = $1 AND status = 'SUCCESS' AND refunded_cents + $2 <= amount_cents RETURNING ${COLUMNS}`,
      [p.id, amountCents, refundId, reason],
    );
    if (!row) return null;
    const [refund] = await sqlRows(
      tx,
      `INSERT INTO payment_refunds (refund_id, payment_id, refund_key, amount_cents, reason) VALUES ($1, $2, $3, $4, $5) RETURNING ${REFUND_COLUMNS}`,
      [refundId, p.id, refundKey, amountCents, reason],
    );
    return { payment: toPayment(row), refund: toRefund(refund) };
  }

  /** PENDING → the gateway's outcome, in `tx`; null when the payment was not PENDING any more (settled by someone else). */
  async settleIn(tx: EntityManager, id: string, outcome: GatewayOutcome): Promise<PaymentEntity | null> {
    const [row] = await sqlRows(
      tx,
      `UPDATE payments SET status = $2, transaction_id = $3, failure_reason = $4, updated_at = now()
        WHERE payment_id = $1 AND status = 'PENDING' RETURNING ${COLUMNS}`,
      [id, outcome.status, outcome.transactionId, outcome.status === 'FAILED' ? outcome.failureReason : null],
    );
    return row ? toPayment(row) : null;
  }
}
