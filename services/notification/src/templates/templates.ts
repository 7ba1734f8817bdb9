import { NotificationType } from '../entities/notification-event.entity';
import { formatMoney, shortId, singleLine, truncate } from './format';
import { SafeHtml, html } from './html';

export interface TemplateTicket {
  ticketCode: string;
  seatCode: string;
  /** Content-ID of the ticket's QR code image (confirmations only). */
  qrContentId?: string;
}

/** Everything a template may show. Values come from the event as received; templates escape them. */
export interface TemplateInput {
  type: NotificationType;
  name?: string;
  email: string;
  orderId: string;
  /** Without it, the catalog event id stands in ("event #1"). */
  eventName?: string;
  eventId: number;
  totalCents: number;
  currency: string;
  reason?: string;
  tickets: TemplateTicket[];
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export const SUBJECT_MAX_LENGTH = 200;
/** Two concatenated SMS segments of GSM-7 text, about; longer texts are cut. */
export const SMS_MAX_LENGTH = 300;

interface Template {
  subject(i: TemplateInput): string;
  /** Paragraphs of the message, as text (each value plain). */
  text(i: TemplateInput): string[];
  /** The same content as HTML. */
  html(i: TemplateInput): SafeHtml;
  sms(i: TemplateInput): string;
}

export const REASON_MAX_LENGTH = 500;

const event = (i: TemplateInput) => (i.eventName ? singleLine(i.eventName) : `event #${i.eventId}`);
const reason = (i: TemplateInput) => truncate(singleLine(i.reason ?? ''), REASON_MAX_LENGTH);
const total = (i: TemplateInput) => formatMoney(i.totalCents, i.currency);
const order = (i: TemplateInput) => shortId(i.orderId);
const reasonText = (i: TemplateInput) => (reason(i) ? [`Reason: ${reason(i)}`] : []);
const reasonHtml = (i: TemplateInput) => (reason(i) ? html`<p style="margin:0 0 12px"><strong>Reason:</strong> ${reason(i)}</p>` : '');

const ticketLines = (i: TemplateInput) => i.tickets.map((t) => `  - Seat ${t.seatCode}, ticket ${t.ticketCode}`);
const ticketListHtml = (i: TemplateInput) =>
  html`<ul style="margin:0 0 12px;padding-left:20px">${i.tickets.map((t) => html`<li>Seat <strong>${t.seatCode}</strong>, ticket <code>${t.ticketCode}</code></li>`)}</ul>`;

const TEMPLATES: Record<NotificationType, Template> = {
  ORDER_CONFIRMED: {
    subject: (i) => `Your tickets for ${event(i)} (order ${order(i)})`,
    text: (i) => [
      `Your order for ${event(i)} is confirmed. Here ${i.tickets.length === 1 ? 'is your ticket' : `are your ${i.tickets.length} tickets`}.`,
      [`Order: ${i.orderId}`, `Total paid: ${total(i)}`].join('\n'),
      ['Tickets:', ...ticketLines(i)].join('\n'),
      'Show the QR code of each ticket at the entrance. The QR codes are attached to this e-mail as images, one per ticket.',
    ],
    html: (i) => html`
      <p style="margin:0 0 12px">Your order for <strong>${event(i)}</strong> is confirmed.</p>
      <p style="margin:0 0 12px">Order <code>${i.orderId}</code><br>Total paid: <strong>${total(i)}</strong></p>
      <table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%">
        ${i.tickets.map(
          (t) => html`
        <tr>
          <td style="padding:12px 0;border-top:1px solid #ddd;vertical-align:top">
            <div style="font-size:18px;font-weight:bold">Seat ${t.seatCode}</div>
            <div style="color:#555">Ticket <code>${t.ticketCode}</code></div>
          </td>
          <td style="padding:12px 0;border-top:1px solid #ddd;text-align:right;width:200px">
            ${t.qrContentId ? html`<img src="cid:${t.qrContentId}" width="180" height="180" alt="QR code of ticket ${t.ticketCode}" style="display:block;margin-left:auto">` : ''}
          </td>
        </tr>`,
        )}
      </table>
      <p style="margin:12px 0">Show the QR code of each ticket at the entrance.</p>`,
    sms: (i) => `Booking confirmed: ${i.tickets.length} ticket${i.tickets.length === 1 ? '' : 's'} for ${event(i)}, order ${order(i)}. Your QR tickets were e-mailed to you.`,
  },
  PAYMENT_FAILED: {
    subject: (i) => `Payment failed for your order for ${event(i)}`,
    text: (i) => [
      `We could not take the payment of ${total(i)} for your order for ${event(i)} (order ${i.orderId}).`,
      ...reasonText(i),
      'No money was taken and no tickets were issued. Your seats stay held for a short while: you can pay again before the hold expires.',
    ],
    html: (i) => html`
      <p style="margin:0 0 12px">We could not take the payment of <strong>${total(i)}</strong> for your order for <strong>${event(i)}</strong> (order <code>${i.orderId}</code>).</p>
      ${reasonHtml(i)}
      <p style="margin:0 0 12px">No money was taken and no tickets were issued. Your seats stay held for a short while: you can pay again before the hold expires.</p>`,
    sms: (i) => `Payment for order ${order(i)} (${event(i)}) failed${reason(i) ? `: ${reason(i)}` : ''}. You can pay again while your seats are held.`,
  },
  ORDER_REFUNDED: {
    subject: (i) => `Refund for your order for ${event(i)}`,
    text: (i) => [
      `We have refunded ${total(i)} for your order for ${event(i)} (order ${i.orderId}).`,
      ...reasonText(i),
      ...(i.tickets.length ? [['These tickets are no longer valid:', ...ticketLines(i)].join('\n')] : []),
      'Depending on your bank, the money shows on your statement within a few working days.',
    ],
    html: (i) => html`
      <p style="margin:0 0 12px">We have refunded <strong>${total(i)}</strong> for your order for <strong>${event(i)}</strong> (order <code>${i.orderId}</code>).</p>
      ${reasonHtml(i)}
      ${i.tickets.length ? html`<p style="margin:0 0 4px">These tickets are no longer valid:</p>${ticketListHtml(i)}` : ''}
      <p style="margin:0 0 12px">Depending on your bank, the money shows on your statement within a few working days.</p>`,
    sms: (i) => `Refund of ${total(i)} for order ${order(i)} (${event(i)}) issued. Its tickets are no longer valid.`,
  },
  ORDER_CANCELLED: {
    subject: (i) => `Your order for ${event(i)} was cancelled`,
    text: (i) => [
      `Your order for ${event(i)} (order ${i.orderId}) has been cancelled and its seats released.`,
      ...reasonText(i),
      ...(i.tickets.length ? [['These tickets are no longer valid:', ...ticketLines(i)].join('\n')] : []),
      'If a payment was taken for this order, you will receive a separate refund confirmation.',
    ],
    html: (i) => html`
      <p style="margin:0 0 12px">Your order for <strong>${event(i)}</strong> (order <code>${i.orderId}</code>) has been cancelled and its seats released.</p>
      ${reasonHtml(i)}
      ${i.tickets.length ? html`<p style="margin:0 0 4px">These tickets are no longer valid:</p>${ticketListHtml(i)}` : ''}
      <p style="margin:0 0 12px">If a payment was taken for this order, you will receive a separate refund confirmation.</p>`,
    sms: (i) => `Your order ${order(i)} for ${event(i)} was cancelled.`,
  },
};

const greeting = (i: TemplateInput) => (i.name ? `Hi ${singleLine(i.name)},` : 'Hello,');

/** Subject, plain-text and HTML body of the e-mail for one event. */
export function renderEmail(input: TemplateInput): RenderedEmail {
  const template = TEMPLATES[input.type];
  const subject = truncate(singleLine(template.subject(input)), SUBJECT_MAX_LENGTH);
  const text = [greeting(input), ...template.text(input), 'Event Tickets', footerText(input)].join('\n\n') + '\n';
  const body = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${subject}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f4">
<div style="max-width:600px;margin:0 auto;padding:24px;background:#ffffff;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#222">
  <p style="margin:0 0 12px">${greeting(input)}</p>
  ${template.html(input)}
  <p style="margin:24px 0 0">Event Tickets</p>
  <p style="margin:12px 0 0;font-size:12px;color:#777">${footerText(input)}</p>
</div>
</body>
</html>
`;
  return { subject, text, html: body.value };
}

/** The SMS for one event: one line, at most SMS_MAX_LENGTH characters. */
export function renderSms(input: TemplateInput): string {
  return truncate(singleLine(TEMPLATES[input.type].sms(input)), SMS_MAX_LENGTH);
}

function footerText(i: TemplateInput): string {
  return `You receive this e-mail at ${i.email} because you ordered tickets with us.`;
}
