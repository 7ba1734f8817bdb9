import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMoney, singleLine, truncate } from './format';
import { escapeHtml, html, trustedHtml } from './html';
import { REASON_MAX_LENGTH, SMS_MAX_LENGTH, SUBJECT_MAX_LENGTH, TemplateInput, renderEmail, renderSms } from './templates';

const input = (over: Partial<TemplateInput> = {}): TemplateInput => ({
  type: 'ORDER_CONFIRMED',
  name: 'Alice',
  email: 'alice@example.com',
  orderId: '7f7ddc5b-2099-44a1-9f52-3089eb15c1d9',
  eventName: 'Rock Concert 2025',
  eventId: 1,
  totalCents: 33000,
  currency: 'INR',
  tickets: [{ ticketCode: 'TCK-20251109-AAA', seatCode: 'PREMIUM-F-1', qrContentId: 'qr-1@tickets.etsr' }],
  ...over,
});

const HOSTILE = `<script>alert('x')</script> & "quotes" <img src=x onerror=alert(1)>`;

describe('html template tag', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    assert.equal(html`<p title="${HOSTILE}">${HOSTILE}</p>`.value, `<p title="${escapeHtml(HOSTILE)}">${escapeHtml(HOSTILE)}</p>`);
    assert.equal(escapeHtml(`<>&"'`), '&lt;&gt;&amp;&quot;&#39;');
  });
  it('nests templates without escaping twice; joins arrays; skips null, undefined and false', () => {
    const items = ['a<b', 'c&d'].map((x) => html`<li>${x}</li>`);
    assert.equal(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.value, '<ul><li>a&lt;b</li><li>c&amp;d</li></ul>0');
    assert.equal(html`${trustedHtml('<br>')}`.value, '<br>');
  });
});

describe('e-mail templates', () => {
  it('subjects per type', () => {
    assert.equal(renderEmail(input()).subject, 'Your tickets for Rock Concert 2025 (order 7f7ddc5b)');
    assert.equal(renderEmail(input({ type: 'PAYMENT_FAILED', tickets: [] })).subject, 'Payment failed for your order for Rock Concert 2025');
    assert.equal(renderEmail(input({ type: 'ORDER_REFUNDED' })).subject, 'Refund for your order for Rock Concert 2025');
    assert.equal(renderEmail(input({ type: 'ORDER_CANCELLED' })).subject, 'Your order for Rock Concert 2025 was cancelled');
  });

  it('a subject is one line, whatever the event name holds, and at most SUBJECT_MAX_LENGTH characters', () => {
    const sneaky = renderEmail(input({ eventName: 'Gig\r\nBcc: everyone@example.com' })).subject;
    assert.equal(sneaky, 'Your tickets for Gig Bcc: everyone@example.com (order 7f7ddc5b)');
    const long = renderEmail(input({ eventName: 'x'.repeat(500) })).subject;
    assert.equal([...long].length, SUBJECT_MAX_LENGTH);
    assert.ok(long.endsWith('…'));
  });

  for (const type of ['ORDER_CONFIRMED', 'PAYMENT_FAILED', 'ORDER_REFUNDED', 'ORDER_CANCELLED'] as const) {
    it(`${type}: every value is escaped in the HTML, kept as is in the text`, () => {
      const mail = renderEmail(
        input({ type, name: HOSTILE, eventName: HOSTILE, reason: HOSTILE, currency: 'USD', tickets: [{ ticketCode: 'TCK-1', seatCode: HOSTILE, qrContentId: 'qr-1@tickets.etsr' }] }),
      );
      assert.doesNotMatch(mail.html, /<script|<img src=x|onerror=alert\(1\)>/);
      assert.ok(mail.html.includes(escapeHtml(HOSTILE)));
      assert.ok(mail.text.includes(`Hi ${HOSTILE},`));
      assert.ok(mail.html.startsWith('<!doctype html>'));
      assert.match(mail.html, /<title>[^<]*<\/title>/);
    });
  }

  it('a confirmation shows each ticket with its seat, code and QR image by Content-ID', () => {
    const mail = renderEmail(
      input({
        tickets: [
          { ticketCode: 'TCK-A', seatCode: 'VIP-A-1', qrContentId: 'qr-1@tickets.etsr' },
          { ticketCode: 'TCK-B', seatCode: 'VIP-A-2', qrContentId: 'qr-2@tickets.etsr' },
        ],
      }),
    );
    assert.match(mail.html, /src="cid:qr-1@tickets\.etsr"[^>]*alt="QR code of ticket TCK-A"/);
    assert.match(mail.html, /src="cid:qr-2@tickets\.etsr"/);
    assert.match(mail.text, /Here are your 2 tickets\./);
    assert.match(mail.text, / {2}- Seat VIP-A-1, ticket TCK-A\n {2}- Seat VIP-A-2, ticket TCK-B/);
    assert.match(mail.text, /Total paid: ₹330\.00/);
  });

  it('greets by name, or without one', () => {
    assert.match(renderEmail(input()).text, /^Hi Alice,\n/);
    assert.match(renderEmail(input({ name: undefined })).text, /^Hello,\n/);
  });

  it('without an event name, the event id stands in', () => {
    assert.equal(renderEmail(input({ eventName: undefined, eventId: 7 })).subject, 'Your tickets for event #7 (order 7f7ddc5b)');
    assert.equal(renderSms(input({ type: 'ORDER_CANCELLED', eventName: undefined, eventId: 7 })), 'Your order 7f7ddc5b for event #7 was cancelled.');
  });

  it('a reason is shown as one line of at most REASON_MAX_LENGTH characters', () => {
    const mail = renderEmail(input({ type: 'PAYMENT_FAILED', reason: `Declined:\n${'x'.repeat(3000)}` }));
    const line = /Reason: (.*)/.exec(mail.text)![1];
    assert.equal([...line].length, REASON_MAX_LENGTH);
    assert.ok(line.startsWith('Declined: xxx'));
  });

  it('a failure without a reason has no Reason line', () => {
    assert.doesNotMatch(renderEmail(input({ type: 'PAYMENT_FAILED', reason: undefined })).text, /Reason/);
    assert.match(renderEmail(input({ type: 'PAYMENT_FAILED', reason: 'Card declined' })).text, /Reason: Card declined/);
  });
});

describe('SMS templates', () => {
  it('one short line per type', () => {
    assert.equal(renderSms(input()), 'Booking confirmed: 1 ticket for Rock Concert 2025, order 7f7ddc5b. Your QR tickets were e-mailed to you.');
    assert.equal(
      renderSms(input({ type: 'PAYMENT_FAILED', reason: 'Insufficient funds' })),
      'Payment for order 7f7ddc5b (Rock Concert 2025) failed: Insufficient funds. You can pay again while your seats are held.',
    );
    assert.equal(renderSms(input({ type: 'ORDER_REFUNDED' })), 'Refund of ₹330.00 for order 7f7ddc5b (Rock Concert 2025) issued. Its tickets are no longer valid.');
    assert.equal(renderSms(input({ type: 'ORDER_CANCELLED' })), 'Your order 7f7ddc5b for Rock Concert 2025 was cancelled.');
  });
  it('at most SMS_MAX_LENGTH characters', () => {
    assert.equal([...renderSms(input({ eventName: 'y'.repeat(400) }))].length, SMS_MAX_LENGTH);
  });
});

describe('formatting', () => {
  it('money in the currency\'s own minor units', () => {
    assert.equal(formatMoney(33000, 'INR'), '₹330.00');
    assert.equal(formatMoney(4550, 'USD'), '$45.50');
    assert.equal(formatMoney(4550, 'JPY'), '¥4,550');
    assert.equal(formatMoney(0, 'EUR'), '€0.00');
  });
  it('single line and truncation', () => {
    assert.equal(singleLine(' a\r\n\tb\u2028c  d '), 'a b c d');
    assert.equal(truncate('abcdef', 4), 'abc…');
    assert.equal(truncate('abc', 4), 'abc');
  });
});
