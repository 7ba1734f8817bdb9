import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, describeConfig, loadConfig } from '@etsr/platform';
import { NotificationConfig, finishNotificationConfig } from './config';

const env = { SERVICE_NAME: 'notification', PORT: '4005', DATABASE_URL: 'postgres://u:p@localhost:5432/notificationdb', SMTP_URL: 'smtp://127.0.0.1:1025' };
const load = (over: Record<string, string | undefined> = {}) => finishNotificationConfig(loadConfig(NotificationConfig, { ...env, ...over }));

describe('NotificationConfig', () => {
  it('defaults', () => {
    const c = load();
    assert.equal(c.MAIL_FROM, 'Event Tickets <tickets@example.com>');
    assert.equal(c.SMS_PROVIDER, 'log');
    assert.deepEqual(
      [c.NOTIFICATION_SEND_INTERVAL_MS, c.NOTIFICATION_MAX_ATTEMPTS, c.NOTIFICATION_RETRY_BASE_MS, c.NOTIFICATION_RETRY_MAX_MS, c.NOTIFICATION_LEASE_SECONDS],
      [1000, 20, 1000, 300_000, 300],
    );
    assert.deepEqual([c.SMTP_CONNECTION_TIMEOUT_MS, c.SMTP_GREETING_TIMEOUT_MS, c.SMTP_SOCKET_TIMEOUT_MS, c.NOTIFICATION_SEND_TIMEOUT_MS], [10_000, 30_000, 60_000, 120_000]);
    assert.equal(c.messageIdDomain, 'example.com');
  });
  it('SMTP_URL is required and must be smtp:// or smtps://', () => {
    assert.throws(() => load({ SMTP_URL: undefined }), /SMTP_URL: .*not set/);
    assert.throws(() => load({ SMTP_URL: 'http://mail.example.com' }), /SMTP_URL/);
    assert.equal(load({ SMTP_URL: 'smtps://smtp.example.com:465' }).SMTP_URL, 'smtps://smtp.example.com:465');
  });
  it('credentials in SMTP_URL move to SMTP_USER / SMTP_PASSWORD, so the logged config shows no password', () => {
    const c = load({ SMTP_URL: 'smtp://mailer%40example.com:s3cr%3At@smtp.example.com:587' });
    assert.equal(c.SMTP_URL, 'smtp://smtp.example.com:587');
    assert.equal(c.SMTP_USER, 'mailer@example.com');
    assert.equal(c.SMTP_PASSWORD, 's3cr:t');
    const described = JSON.stringify(describeConfig(c));
    assert.doesNotMatch(described, /s3cr/);
    assert.throws(() => load({ SMTP_URL: 'smtp://u:p@smtp.example.com', SMTP_PASSWORD: 'other' }), /keep one/);
  });
  it('the lease must outlast a slow send; the retry cap must not be below the base', () => {
    assert.throws(() => load({ NOTIFICATION_LEASE_SECONDS: '30', NOTIFICATION_SEND_TIMEOUT_MS: '30000' }), (e: unknown) => e instanceof ConfigError && /NOTIFICATION_LEASE_SECONDS/.test(e.message));
    assert.throws(() => load({ NOTIFICATION_RETRY_BASE_MS: '5000', NOTIFICATION_RETRY_MAX_MS: '1000' }), /NOTIFICATION_RETRY_MAX_MS/);
    assert.throws(() => load({ SMS_PROVIDER: 'twilio' }), /SMS_PROVIDER/);
    assert.throws(() => load({ MAIL_FROM: 'Event Tickets' }), /MAIL_FROM must be an address/);
    assert.equal(load({ MAIL_FROM: 'tickets@example.org' }).MAIL_FROM, 'tickets@example.org');
  });
  it('each SMTP timeout fits in the whole attempt; the Message-ID domain is MAIL_FROM\'s unless set', () => {
    assert.throws(() => load({ SMTP_SOCKET_TIMEOUT_MS: '60000', NOTIFICATION_SEND_TIMEOUT_MS: '30000' }), /SMTP_SOCKET_TIMEOUT_MS must not exceed NOTIFICATION_SEND_TIMEOUT_MS/);
    assert.throws(() => load({ SMTP_GREETING_TIMEOUT_MS: '40000', NOTIFICATION_SEND_TIMEOUT_MS: '30000', SMTP_SOCKET_TIMEOUT_MS: '30000' }), /SMTP_GREETING_TIMEOUT_MS/);
    assert.equal(load({ MAIL_FROM: 'tickets@example.org' }).messageIdDomain, 'example.org');
    assert.equal(load({ MAIL_MESSAGE_ID_DOMAIN: 'mail.example.net' }).messageIdDomain, 'mail.example.net');
    assert.throws(() => load({ MAIL_MESSAGE_ID_DOMAIN: 'not a domain>' }), /MAIL_MESSAGE_ID_DOMAIN must be a domain name/);
  });
});
