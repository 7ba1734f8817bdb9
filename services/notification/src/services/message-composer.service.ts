import { randomUUID } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { QrCodeClient } from '../clients/qr-code.client';
import { ReceiveAccountEventDto, ReceiveEventDto } from '../dtos/notification.dto';
import { isAccountType } from '../entities/notification-event.entity';
import { Channel } from '../entities/notification.entity';
import { NewNotification, RenderedNotification } from '../repositories/notifications.repository';
import { AccountTemplateInput, OrderTemplateInput, renderEmail, renderSms, renderSubject } from '../templates/templates';

/** An event as stored when it arrived (the request body), from which the sender renders its messages. */
export type StoredEvent = ReceiveEventDto | ReceiveAccountEventDto;

/**
 * Turns an event into messages, in two steps. When the event arrives, `plan` says which messages
 * it makes (an order event: always an e-mail, and an SMS when it has a phone number; an account
 * event: one e-mail, its token being a credential that never goes by SMS) with their subjects:
 * cheap, no bodies. When the sender first claims a message, `render` makes its bodies and, for a
 * confirmation's e-mail, one QR code PNG per ticket, shown inline (cid:).
 */
@Injectable()
export class MessageComposer {
  constructor(private readonly qr: QrCodeClient) {}

  plan(event: StoredEvent): NewNotification[] {
    const email: NewNotification = { id: randomUUID(), channel: 'EMAIL', recipient: event.email, subject: renderSubject(this.templateInput(event)) };
    if (isAccountEvent(event) || !event.phone) return [email];
    return [email, { id: randomUUID(), channel: 'SMS', recipient: event.phone, subject: null }];
  }

  async render(event: StoredEvent, channel: Channel): Promise<RenderedNotification> {
    const input = this.templateInput(event);
    if (channel === 'SMS') {
      if (isAccountEvent(event)) throw new Error('account events have no SMS');
      return { bodyText: renderSms(input as OrderTemplateInput), bodyHtml: null, attachments: [] };
    }
    const email = renderEmail(input);
    const tickets = !isAccountEvent(event) && event.type === 'ORDER_CONFIRMED' ? (event.data.tickets ?? []) : [];
    const attachments: RenderedNotification['attachments'] = [];
    for (const [i, t] of tickets.entries()) {
      // One QR code at a time, letting waiting requests in between: encoding one is a few ms of CPU on the event loop.
      await setImmediate();
      attachments.push({ seq: i + 1, contentId: qrContentId(i), filename: `ticket-${t.ticketCode}.png`, contentType: 'image/png', content: await this.qr.png(t.qrPayload) });
    }
    return { bodyText: email.text, bodyHtml: email.html, attachments };
  }

  private templateInput(event: StoredEvent): OrderTemplateInput | AccountTemplateInput {
    if (isAccountEvent(event)) {
      return {
        type: event.type,
        name: event.name,
        email: event.email,
        username: event.data.username,
        token: event.data.token,
        expiresAt: new Date(event.data.expiresAt),
        confirmUrl: event.data.confirmUrl,
      };
    }
    const withQr = event.type === 'ORDER_CONFIRMED';
    return {
      type: event.type,
      name: event.name,
      email: event.email,
      orderId: event.orderId,
      eventName: event.data.eventName,
      eventId: event.data.eventId,
      totalCents: event.data.totalCents,
      currency: event.data.currency,
      reason: event.data.reason,
      tickets: (event.data.tickets ?? []).map((t, i) => ({ ticketCode: t.ticketCode, seatCode: t.seatCode, qrContentId: withQr ? qrContentId(i) : undefined })),
    };
  }
}

const qrContentId = (i: number) => `qr-${i + 1}@tickets.etsr`;

function isAccountEvent(event: StoredEvent): event is ReceiveAccountEventDto {
  return isAccountType(event.type);
}
