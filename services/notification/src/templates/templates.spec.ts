import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDateTime, formatMoney, singleLine, truncate } from './format';
import { escapeHtml, html, trustedHtml } from './html';
import {
  AccountTemplateInput,
  OrderTemplateInput,
  REASON_MAX_LENGTH,
  RESET_NOT_ASKED,
  SMS_MAX_LENGTH,
  SUBJECT_MAX_LENGTH,
  renderEmail,
  renderSms,
} from './templates';

const input = (over: Partial<OrderTemplateInput> = {}): OrderTemplateInput => ({
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

const TOKEN = 'pst_Yk3vQ9mZr2LwX8sT1bNc4dHf6jKp0aRe5uGi7oWy3xE';
const account = (over: Partial<AccountTemplateInput> = {}): AccountTemplateInput => ({
  type: 'PASSWORD_RESET',
  name: 'Alice',
  email: 'alice@example.com',
  username: 'alice_johnson',
  token: TOKEN,
  expiresAt: new Date('2026-11-21T10:00:00.000Z'),
  confirmUrl: 'http://localhost:8081/v1/users/password-setup/confirm',
  ...over,
});

describe('account e-mail templates', () => {
  for (const [type, subject] of [
    ['ACCOUNT_SETUP', 'Set a password for your Event Tickets account'],
    ['PASSWORD_RESET', 'Reset the password of your Event Tickets account'],
  ] as const) {
    it(`${type}: username, token, expiry in words, the confirm URL and the exact JSON to post, in text and HTML; the subject without the token`, () => {
      const mail = renderEmail(account({ type }));
      assert.equal(mail.subject, subject);
      const json = `{"token": "${TOKEN}", "newPassword": "YOUR-NEW-PASSWORD"}`;
      assert.deepEqual(JSON.parse(json), { token: TOKEN, newPassword: 'YOUR-NEW-PASSWORD' });
      for (const body of [mail.text, mail.html]) {
        assert.ok(body.includes('alice_johnson'));
        assert.ok(body.includes(TOKEN));
        assert.ok(body.includes('Saturday, 21 November 2026, 10:00 UTC'));
        assert.ok(body.includes('http://localhost:8081/v1/users/password-setup/confirm'));
      }
      assert.ok(mail.text.includes(`  ${json}\n`));
      assert.ok(mail.html.includes(escapeHtml(json)));
      assert.match(mail.text, /^Hi Alice,\n/);
      assert.match(mail.text, /because it is the address of the Event Tickets account alice_johnson\./);
      assert.doesNotMatch(mail.text, /ordered tickets/);
    });
  }

  it('PASSWORD_RESET says to ignore it if not asked; ACCOUNT_SETUP does not', () => {
    assert.equal(RESET_NOT_ASKED, 'If you did not ask to reset your password, ignore this e-mail; your password stays as it is.');
    assert.ok(renderEmail(account({ type: 'PASSWORD_RESET' })).text.includes(RESET_NOT_ASKED));
    assert.ok(renderEmail(account({ type: 'PASSWORD_RESET' })).html.includes(RESET_NOT_ASKED));
    assert.ok(!renderEmail(account({ type: 'ACCOUNT_SETUP' })).text.includes(RESET_NOT_ASKED));
  });

  it('every value is escaped in the HTML', () => {
    const mail = renderEmail(account({ name: HOSTILE, username: HOSTILE, confirmUrl: `https://example.com/"><script>x</script>` }));
    assert.doesNotMatch(mail.html, /<script|<img src=x|onerror=alert\(1\)>/);
    assert.ok(mail.html.includes(`Hi ${escapeHtml(HOSTILE)},`));
    assert.ok(mail.html.includes(escapeHtml('https://example.com/"><script>x</script>')));
    assert.ok(mail.text.includes(`Hi ${HOSTILE},`));
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
  it('a moment in words, in UTC', () => {
    assert.equal(formatDateTime(new Date('2026-11-21T10:00:00.000Z')), 'Saturday, 21 November 2026, 10:00 UTC');
    assert.equal(formatDateTime(new Date('2025-01-05T23:59:59+05:30')), 'Sunday, 5 January 2025, 18:29 UTC');
  });
  it('single line and truncation', () => {
    assert.equal(singleLine(' a\r\n\tb\u2028c  d '), 'a b c d');
    assert.equal(truncate('abcdef', 4), 'abc…');
    assert.equal(truncate('abc', 4), 'abc');
  });
});
