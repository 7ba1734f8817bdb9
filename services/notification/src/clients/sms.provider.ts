import { Injectable } from '@nestjs/common';
import { JsonLogger } from '@etsr/platform';

export interface OutgoingSms {
  to: string;
  text: string;
  /** Our id of the message, for providers that deduplicate by a client reference. */
  reference: string;
}

/**
 * Where SMS go. A real provider (Twilio, MessageBird, an SMPP gateway …) implements this and is
 * chosen by SMS_PROVIDER; resolve once the provider has accepted the message, throw to retry later.
 * When `signal` aborts, give the request up and reject once it can no longer be accepted.
 */
export abstract class SmsProvider {
  abstract readonly name: string;
  abstract send(sms: OutgoingSms, signal: AbortSignal): Promise<{ providerMessageId: string }>;
}

/** Development provider: writes each SMS as one JSON log line instead of sending it. */
@Injectable()
export class LogSmsProvider extends SmsProvider {
  readonly name = 'log';
  private readonly log;

  constructor(logger: JsonLogger) {
    super();
    this.log = logger.forContext('SmsLogProvider');
  }

  /** A log line cannot be half-written: the signal has nothing to stop. */
  async send(sms: OutgoingSms, _signal: AbortSignal): Promise<{ providerMessageId: string }> {
    this.log.info('SMS (not sent: SMS_PROVIDER=log)', { sms: { to: sms.to, text: sms.text, reference: sms.reference } });
    return { providerMessageId: `log:${sms.reference}` };
  }
}
