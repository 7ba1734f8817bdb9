import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OutboxMessage, OutboxWorker, currentTrace, enqueueLeased } from '@etsr/platform';
import { OrderCallbackClient } from '../clients/order-callback.client';
import { PaymentResultMessage, callbackFor } from '../dtos/callback.dto';
import { PaymentEntity } from '../entities/payment.entity';

/** The outbox topic of payment results, delivered to the order service as signed callbacks. */
export const PAYMENT_RESULT_TOPIC = 'payment.result';

/** How long one delivery attempt of a callback may take before another worker may try it again (well above HTTP_CLIENT_TIMEOUT_MS's range of use). */
export const CALLBACK_LEASE_SECONDS = 30;

/** One callback per payment and status, however often the change is recorded. */
export const callbackDedupeKey = (paymentId: string, status: string) => `${PAYMENT_RESULT_TOPIC}:${paymentId}:${status}`;

/** A state change as committed: the payment as it now is, and its callback, leased for delivery right after the commit (null if enqueued before). */
export interface Recorded {
  payment: PaymentEntity;
  callback: OutboxMessage | null;
}

/**
 * Who calls the order service back. Every settled payment (SUCCESS, FAILED) and every completed
 * refund (REFUNDED) is written to the outbox here, by the caller, in the transaction of the status
 * change itself: a change is never committed without its callback, nor a callback sent for a change
 * that rolled back. The message is leased to this process, so deliverNow() sends it right after the
 * commit without a claim (and a commit) first; the outbox worker retries what fails, through
 * OrderCallbackClient (the signed POST /v1/payments/callback).
 */
@Injectable()
export class OrderCallbackService {
  constructor(
    private readonly outbox: OutboxWorker,
    client: OrderCallbackClient,
  ) {
    outbox.handle(PAYMENT_RESULT_TOPIC, (message) => client.deliver(message));
  }

  /** Enqueues the callback of `payment`'s new status in `tx`, the transaction that changed it. */
  async enqueue(tx: EntityManager, payment: PaymentEntity): Promise<Recorded> {
    // The trace of the request that settled the payment is continued on delivery.
    const message: PaymentResultMessage = { callback: callbackFor(payment), trace_id: currentTrace()?.traceId };
    const callback = await enqueueLeased(tx, PAYMENT_RESULT_TOPIC, message, callbackDedupeKey(payment.id, payment.status), CALLBACK_LEASE_SECONDS);
    return { payment, callback };
  }

  /** Sends the callbacks of changes just committed (those enqueued before are the outbox's to send). */
  deliverNow(recorded: Recorded[]): void {
    this.outbox.deliverNow(recorded.map((r) => r.callback));
  }
}
