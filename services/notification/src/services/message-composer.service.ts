import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { QrCodeClient } from '../clients/qr-code.client';
import { ReceiveAccountEventDto, ReceiveEventDto } from '../dtos/notification.dto';
import { NewNotification } from '../repositories/notifications.repository';
import { OrderTemplateInput, renderEmail, renderSms } from '../templates/templates';

/**
 * Turns an event into the messages to store. An order event: always an e-mail, and an SMS when the
 * event has a phone number; a confirmation's e-mail carries one QR code PNG per ticket, shown
 * inline (cid:). An account event: one e-mail (its token is a credential: never by SMS).
 */
@Injectable()
export class MessageComposer {
  constructor(private readonly qr: QrCodeClient) {}

  async compose(dto: ReceiveEventDto): Promise<NewNotification[]> {
    const withQr = dto.type === 'ORDER_CONFIRMED';
    const tickets = (dto.data.tickets ?? []).map((t, i) => ({ ...t, qrContentId: withQr ? `qr-${i + 1}@tickets.etsr` : undefined }));
    const input: OrderTemplateInput = {
      type: dto.type,
      name: dto.name,
      email: dto.email,
      orderId: dto.orderId,
      eventName: dto.data.eventName,
      eventId: dto.data.eventId,
      totalCents: dto.data.totalCents,
      currency: dto.data.currency,
      reason: dto.data.reason,
      tickets,
    };
    const email = renderEmail(input);
    const attachments = withQr
      ? await Promise.all(
          tickets.map(async (t, i) => ({
            seq: i + 1,
            contentId: t.qrContentId!,
            filename: `ticket-${t.ticketCode}.png`,
            contentType: 'image/png',
            content: await this.qr.png(t.qrPayload),
          })),
        )
      : [];
    const messages: NewNotification[] = [
      { id: randomUUID(), channel: 'EMAIL', recipient: dto.email, subject: email.subject, bodyText: email.text, bodyHtml: email.html, attachments },
    ];
    if (dto.phone) {
      messages.push({ id: randomUUID(), channel: 'SMS', recipient: dto.phone, subject: null, bodyText: renderSms(input), bodyHtml: null, attachments: [] });
    }
    return messages;
  }

  composeAccount(dto: ReceiveAccountEventDto): NewNotification[] {
    const email = renderEmail({
      type: dto.type,
      name: dto.name,
      email: dto.email,
      username: dto.data.username,
      token: dto.data.token,
      expiresAt: new Date(dto.data.expiresAt),
      confirmUrl: dto.data.confirmUrl,
    });
    return [{ id: randomUUID(), channel: 'EMAIL', recipient: dto.email, subject: email.subject, bodyText: email.text, bodyHtml: email.html, attachments: [] }];
  }
}
