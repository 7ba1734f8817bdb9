import { Injectable } from '@nestjs/common';
import { AxiosInstance, isAxiosError } from 'axios';
import {
  ContextLogger,
  JsonLogger,
  MetricsService,
  OutboxMessage,
  countRefusalsOf,
  PermanentFailure,
  SIGNATURE_HEADER,
  isRefusal,
  outgoingTraceparent,
  peerHttp,
  refusedBy,
  runWithTrace,
  signPayload,
} from '@etsr/platform';
import { PaymentConfig } from '../config';
import { PaymentCallback, PaymentResultMessage, orderedCallback } from '../dtos/callback.dto';

export const CALLBACK_PATH = '/v1/payments/callback';

const TRACE_ID = /^[0-9a-f]{32}$/;

/**
 * Delivers payment results to the order service: POST {ORDER_URL}/v1/payments/callback, the body
 * serialized once and signed over those exact bytes (header x-signature, `t=<unix>,v1=<hex
 * HMAC-SHA256 of "<t>.<body>">` with CALLBACK_SECRET). The platform's axios instance rather than
 * ServiceClient, which would serialize the body itself and add the service credential. The outbox
 * worker calls it and retries what it throws.
 */
@Injectable()
export class OrderCallbackClient {
  private readonly http: AxiosInstance;
  private readonly log: ContextLogger;

  constructor(
    private readonly config: PaymentConfig,
    logger: JsonLogger,
    private readonly metrics: MetricsService,
  ) {
    this.log = logger.forContext(OrderCallbackClient.name);
    countRefusalsOf('order', metrics);
    // The outbox delivers a handful of callbacks at a time: a few connections suffice.
    this.http = peerHttp(config.ORDER_URL, 8);
  }

  /** The outbox handler of 'payment.result': resolves when delivered, throws to retry, PermanentFailure to give up. */
  deliver(message: OutboxMessage): Promise<void> {
    const { callback, trace_id: traceId } = message.payload as unknown as PaymentResultMessage;
    // Continue the trace of the request that settled the payment, so a booking can be followed across services.
    return runWithTrace(() => this.post(callback), traceId && TRACE_ID.test(traceId) ? traceId : undefined);
  }

  private async post(callback: PaymentCallback): Promise<void> {
    const body = JSON.stringify(orderedCallback(callback));
    let response: { status: number; data: string };
    try {
      response = await this.http.post<string>(CALLBACK_PATH, body, {
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signPayload(this.config.CALLBACK_SECRET, body),
          traceparent: outgoingTraceparent(),
        },
        timeout: this.config.HTTP_CLIENT_TIMEOUT_MS,
      });
    } catch (e) {
      const reason = isAxiosError(e) && e.code === 'ECONNABORTED' ? `no answer within ${this.config.HTTP_CLIENT_TIMEOUT_MS} ms` : e instanceof Error ? e.message : String(e);
      throw new Error(`order service unreachable (${reason})`);
    }
    const text = response.data ?? '';
    if (response.status >= 200 && response.status < 300) return;
    const summary = `order service answered ${response.status} to the ${callback.status} callback of ${callback.payment_id}: ${text.slice(0, 300)}`;
    if (response.status >= 500 || response.status === 408 || response.status === 429) throw new Error(summary);
    // Our signature refused (CALLBACK_SECRET differs): kept and retried until an operator fixes it.
    if (isRefusal(response.status)) throw refusedBy('order', response.status, errorCode(text), { log: this.log, metrics: this.metrics }, { paymentId: callback.payment_id });
    throw new PermanentFailure(summary);
  }
}

/** The `error` code of an error body, when the text is one. */
function errorCode(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { error?: unknown } | null)?.error;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}
