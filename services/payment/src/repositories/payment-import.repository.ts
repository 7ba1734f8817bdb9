import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { conflict, sqlRows } from '@etsr/platform';
import { ImportPaymentDto, ImportedPaymentDto } from '../dtos/import.dto';

/**
 * Payments of another system, keyed by their source reference: `INSERT ... ON CONFLICT DO
 * NOTHING RETURNING`, in the batch's transaction (PaymentImportService). Nothing is charged and no callback is enqueued:
 * this is history, and the order it belongs to is imported as it ended.
 */
@Injectable()
export class PaymentImportRepository {
  async importPayment(tx: EntityManager, p: ImportPaymentDto): Promise<ImportedPaymentDto> {
    const id = `pay_${randomBytes(16).toString('base64url')}`;
    const [row] = await sqlRows(
      tx,
      `INSERT INTO payments (payment_id, merchant_order_id, user_id, amount_cents, currency, status, idempotency_key, payment_method,
                             transaction_id, failure_reason, external_ref, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $7, $11, $11) ON CONFLICT DO NOTHING RETURNING payment_id`,
      [id, p.merchantOrderId, p.userId, p.amountCents, p.currency, p.status, p.externalRef, p.paymentMethod, p.transactionId ?? null,
        p.status === 'FAILED' ? p.failureReason : null, p.createdAt],
    );
    if (row) return { externalRef: p.externalRef, paymentId: id, created: true };
    const [existing] = await sqlRows<{ payment_id: string }>(tx, `SELECT payment_id FROM payments WHERE external_ref = $1`, [p.externalRef]);
    // Not ours: the order has a live payment from elsewhere, or the owner used this key for a charge.
    if (!existing) throw conflict(`${p.externalRef}: order ${p.merchantOrderId} already has a payment`, 'ORDER_ALREADY_PAID', { externalRef: p.externalRef });
    return { externalRef: p.externalRef, paymentId: existing.payment_id, created: false };
  }
}
