import { AccountNotificationType, OrderNotificationType, isAccountType } from '../entities/notification-event.entity';
import { formatDateTime, formatMoney, shortId, singleLine, truncate } from './format';
import { SafeHtml, html } from './html';

export interface TemplateTicket {
  ticketCode: string;
  seatCode: string;
  /** Content-ID of the ticket's QR code image (confirmations only). */
  qrContentId?: string;
}

/** Who the e-mail goes to. */
interface Recipient {
  name?: string;
  email: string;
}

/** Everything an order template may show. Values come from the event as received; templates escape them. */
export interface OrderTemplateInput extends Recipient {
  type: OrderNotificationType;
  orderId: string;
  /** Without it, the catalog event id stands in ("event #1"). */
  eventName?: string;
  eventId: number;
  totalCents: number;
  currency: string;
  reason?: string;
  tickets: TemplateTicket[];
}

/** Everything an account template may show: the one-time token to set a password, and where to use it. */
export interface AccountTemplateInput extends Recipient {
  type: AccountNotificationType;
  username: string;
  token: string;
  expiresAt: Date;
  confirmUrl: string;
}

export type TemplateInput = OrderTemplateInput | AccountTemplateInput;

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export const SUBJECT_MAX_LENGTH = 200;
/** Two concatenated SMS segments of GSM-7 text, about; longer texts are cut. */
export const SMS_MAX_LENGTH = 300;

interface EmailTemplate<I extends TemplateInput> {
  subject(i: I): string;
  /** Paragraphs of the message, as text (each value plain). */
  text(i: I): string[];
  /** The same content as HTML. */
  html(i: I): SafeHtml;
  /** Why the reader gets this e-mail (one line, plain). */
  footer(i: I): string;
}

interface OrderTemplate extends EmailTemplate<OrderTemplateInput> {
  sms(i: OrderTemplateInput): string;
}

export const REASON_MAX_LENGTH = 500;

const event = (i: OrderTemplateInput) => (i.eventName ? singleLine(i.eventName) : `event #${i.eventId}`);
const reason = (i: OrderTemplateInput) => truncate(singleLine(i.reason ?? ''), REASON_MAX_LENGTH);
const total = (i: OrderTemplateInput) => formatMoney(i.totalCents, i.currency);
const order = (i: OrderTemplateInput) => shortId(i.orderId);
const reasonText = (i: OrderTemplateInput) => (reason(i) ? [`Reason: ${reason(i)}`] : []);
const reasonHtml = (i: OrderTemplateInput) => (reason(i) ? html`<p style="margin:0 0 12px"><strong>Reason:</strong> ${reason(i)}</p>` : '');

const ticketLines = (i: OrderTemplateInput) => i.tickets.map((t) => `  - Seat ${t.seatCode}, ticket ${t.ticketCode}`);
const ticketListHtml = (i: OrderTemplateInput) =>
  html`<ul style="margin:0 0 12px;padding-left:20px">${i.tickets.map((t) => html`<li>Seat <strong>${t.seatCode}</strong>, ticket <code>${t.ticketCode}</code></li>`)}</ul>`;

const ORDER_TEMPLATES: Record<OrderNotificationType, OrderTemplate> = {
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
    footer: orderFooter,
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
    footer: orderFooter,
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
    footer: orderFooter,
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
    footer: orderFooter,
    sms: (i) => `Your order ${order(i)} for ${event(i)} was cancelled.`,
  },
};

export const RESET_NOT_ASKED = 'If you did not ask to reset your password, ignore this e-mail; your password stays as it is.';
/** Stands for the password in the JSON the reader is to send. */
export const NEW_PASSWORD_PLACEHOLDER = 'YOUR-NEW-PASSWORD';

const username = (i: AccountTemplateInput) => singleLine(i.username);
const expires = (i: AccountTemplateInput) => formatDateTime(i.expiresAt);
/** The exact body POST confirmUrl takes, with a placeholder for the password. */
export const confirmJson = (token: string) => `{"token": ${JSON.stringify(token)}, "newPassword": ${JSON.stringify(NEW_PASSWORD_PLACEHOLDER)}}`;

const setupText = (i: AccountTemplateInput, what: string) => [
  [`Username: ${username(i)}`, `One-time token: ${i.token}`, `Valid until: ${expires(i)}`].join('\n'),
  [
    `To ${what}, send a POST request to`,
    `  ${i.confirmUrl}`,
    `with the header "Content-Type: application/json" and this JSON body, your new password in place of ${NEW_PASSWORD_PLACEHOLDER}:`,
    `  ${confirmJson(i.token)}`,
  ].join('\n'),
  'The token works once, and only until the time above. Do not share it: whoever has it can set the password of your account.',
];

const setupHtml = (i: AccountTemplateInput, what: string) => html`
      <table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:0 0 12px">
        <tr><td style="padding:2px 12px 2px 0;color:#555">Username</td><td style="padding:2px 0"><strong>${username(i)}</strong></td></tr>
        <tr><td style="padding:2px 12px 2px 0;color:#555">One-time token</td><td style="padding:2px 0"><code>${i.token}</code></td></tr>
        <tr><td style="padding:2px 12px 2px 0;color:#555">Valid until</td><td style="padding:2px 0">${expires(i)}</td></tr>
      </table>
      <p style="margin:0 0 4px">To ${what}, send a <code>POST</code> request to <code>${i.confirmUrl}</code> with the header <code>Content-Type: application/json</code> and this JSON body, your new password in place of <code>${NEW_PASSWORD_PLACEHOLDER}</code>:</p>
      <pre style="margin:0 0 12px;padding:8px;background:#f4f4f4;white-space:pre-wrap;word-break:break-all">${confirmJson(i.token)}</pre>
      <p style="margin:0 0 12px">The token works once, and only until the time above. Do not share it: whoever has it can set the password of your account.</p>`;

const ACCOUNT_TEMPLATES: Record<AccountNotificationType, EmailTemplate<AccountTemplateInput>> = {
  ACCOUNT_SETUP: {
    subject: () => 'Set a password for your Event Tickets account',
    text: (i) => [
      `Your Event Tickets account ${username(i)} has no password yet. An administrator invited you to set one; until you do, you cannot sign in.`,
      ...setupText(i, 'set your password'),
      'Then sign in with your username and the new password.',
    ],
    html: (i) => html`
      <p style="margin:0 0 12px">Your Event Tickets account <strong>${username(i)}</strong> has no password yet. An administrator invited you to set one; until you do, you cannot sign in.</p>
      ${setupHtml(i, 'set your password')}
      <p style="margin:0 0 12px">Then sign in with your username and the new password.</p>`,
    footer: accountFooter,
  },
  PASSWORD_RESET: {
    subject: () => 'Reset the password of your Event Tickets account',
    text: (i) => [
      `We received a request to reset the password of your Event Tickets account ${username(i)}.`,
      ...setupText(i, 'choose a new password'),
      RESET_NOT_ASKED,
    ],
    html: (i) => html`
      <p style="margin:0 0 12px">We received a request to reset the password of your Event Tickets account <strong>${username(i)}</strong>.</p>
      ${setupHtml(i, 'choose a new password')}
      <p style="margin:0 0 12px"><strong>${RESET_NOT_ASKED}</strong></p>`,
    footer: accountFooter,
  },
};

const greeting = (i: TemplateInput) => (i.name ? `Hi ${singleLine(i.name)},` : 'Hello,');

/** Subject, plain-text and HTML body of the e-mail for one event. */
export function renderEmail(input: TemplateInput): RenderedEmail {
  return isAccountInput(input) ? renderWith(ACCOUNT_TEMPLATES[input.type], input) : renderWith(ORDER_TEMPLATES[input.type], input);
}

/** The subject alone (what receiving an event stores and answers; the bodies are rendered later). */
export function renderSubject(input: TemplateInput): string {
  return isAccountInput(input) ? subjectOf(ACCOUNT_TEMPLATES[input.type], input) : subjectOf(ORDER_TEMPLATES[input.type], input);
}

function subjectOf<I extends TemplateInput>(template: EmailTemplate<I>, input: I): string {
  return truncate(singleLine(template.subject(input)), SUBJECT_MAX_LENGTH);
}

function isAccountInput(input: TemplateInput): input is AccountTemplateInput {
  return isAccountType(input.type);
}

function renderWith<I extends TemplateInput>(template: EmailTemplate<I>, input: I): RenderedEmail {
  const subject = subjectOf(template, input);
  const footer = template.footer(input);
  const text = [greeting(input), ...template.text(input), 'Event Tickets', footer].join('\n\n') + '\n';
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
  <p style="margin:12px 0 0;font-size:12px;color:#777">${footer}</p>
</div>
</body>
</html>
`;
  return { subject, text, html: body.value };
}

/** The SMS for an order event: one line, at most SMS_MAX_LENGTH characters. Account e-mails have none. */
export function renderSms(input: OrderTemplateInput): string {
  return truncate(singleLine(ORDER_TEMPLATES[input.type].sms(input)), SMS_MAX_LENGTH);
}

function orderFooter(i: OrderTemplateInput): string {
  return `You receive this e-mail at ${i.email} because you ordered tickets with us.`;
}

function accountFooter(i: AccountTemplateInput): string {
  return `You receive this e-mail at ${i.email} because it is the address of the Event Tickets account ${username(i)}.`;
}
