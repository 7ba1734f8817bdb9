import { Injectable } from '@nestjs/common';
import { OutboxMessage, PermanentFailure, SIGNATURE_HEADER, outgoingTraceparent, runWithTrace, signPayload } from '@etsr/platform';
import { PaymentConfig } from '../config';
import { PaymentCallback, PaymentResultMessage, orderedCallback } from '../dtos/callback.dto';

export const CALLBACK_PATH = '/v1/payments/callback';

const TRACE_ID = /^[0-9a-f]{32}$/;

/**
 * Delivers payment results to the order service: POST {ORDER_URL}/v1/payments/callback, the body
 * serialized once and signed over those exact bytes (header x-signature, `t=<unix>,v1=<hex
 * HMAC-SHA256 of "<t>.<body>">` with CALLBACK_SECRET). Plain fetch rather than ServiceClient,
 * which would serialize the body itself. The outbox worker calls it and retries what it throws.
 */
@Injectable()
export class OrderCallbackClient {
  private readonly url: string;

  constructor(private readonly config: PaymentConfig) {
    this.url = new URL(CALLBACK_PATH, config.ORDER_URL).toString();
  }

  /** The outbox handler of 'payment.result': resolves when delivered, throws to retry, PermanentFailure to give up. */
  deliver(message: OutboxMessage): Promise<void> {
    const { callback, trace_id: traceId } = message.payload as unknown as PaymentResultMessage;
    // Continue the trace of the request that settled the payment, so a booking can be followed across services.
    return runWithTrace(() => this.post(callback), traceId && TRACE_ID.test(traceId) ? traceId : undefined);
  }

  private async post(callback: PaymentCallback): Promise<void> {
    const body = JSON.stringify(orderedCallback(callback));
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signPayload(this.config.CALLBACK_SECRET, body),
          traceparent: outgoingTraceparent(),
        },
        body,
        signal: AbortSignal.timeout(this.config.HTTP_CLIENT_TIMEOUT_MS),
      });
    } catch (e) {
      const reason = e instanceof Error && e.name === 'TimeoutError' ? `no answer within ${this.config.HTTP_CLIENT_TIMEOUT_MS} ms` : e instanceof Error ? e.message : String(e);
      throw new Error(`order service unreachable (${reason})`);
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return;
    const summary = `order service answered ${response.status} to the ${callback.status} callback of ${callback.payment_id}: ${text.slice(0, 300)}`;
    if (response.status >= 500 || response.status === 408 || response.status === 429) throw new Error(summary);
    throw new PermanentFailure(summary);
  }
}
