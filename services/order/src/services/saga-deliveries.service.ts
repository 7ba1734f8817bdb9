import { Injectable } from '@nestjs/common';
import { JsonLogger, PermanentFailure, UpstreamError } from '@etsr/platform';
import { ServiceClients } from '../clients/service-clients';
import { NotifyPayload, RefundPayload, ReleasePayload } from '../saga/outbox-topics';

/**
 * The saga's outbox messages that are a call to another service and nothing more: a refund at the
 * payment service, a release at seating, a notice to the notification service. Each may run twice
 * (the receivers are idempotent by the message's ids). A 4xx other than 429 is a refusal for good.
 */
@Injectable()
export class SagaDeliveries {
  private readonly log;

  constructor(
    private readonly clients: ServiceClients,
    logger: JsonLogger,
  ) {
    this.log = logger.forContext(SagaDeliveries.name);
  }

  async refund({ paymentId, reason, amountCents, refundKey }: RefundPayload): Promise<void> {
    try {
      // A paid order always has its payment id; were it missing, payment's 400 makes the message DEAD for an operator.
      await this.clients.refund(paymentId as string, reason, amountCents !== undefined && refundKey ? { amountCents, refundKey } : undefined);
    } catch (e) {
      if (e instanceof UpstreamError && e.status < 500 && e.status !== 429) throw new PermanentFailure(`payment refused the refund: ${e.message}`);
      throw e;
    }
  }

  async release({ orderId }: ReleasePayload): Promise<void> {
    await this.clients.release(orderId);
  }

  /** The notice as built when it was enqueued (idempotent at the notification service by its eventId). */
  async notify({ orderId, body }: NotifyPayload): Promise<void> {
    if (!this.clients.notifies || !body) {
      this.log.info('Notification not sent (no notification service, or no e-mail address on the order)', { orderId });
      return;
    }
    try {
      await this.clients.notice(body);
    } catch (e) {
      if (e instanceof UpstreamError && e.status < 500 && e.status !== 429) throw new PermanentFailure(`notification refused: ${e.message}`);
      throw e;
    }
  }
}
