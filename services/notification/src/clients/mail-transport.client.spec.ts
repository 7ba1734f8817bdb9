import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorText, isPermanentRejection } from './mail-transport.client';

const smtpError = (fields: Record<string, unknown>) => Object.assign(new Error("Can't send mail - all recipients were rejected"), fields);

describe('SMTP failures', () => {
  it('550-553 to RCPT TO are permanent: the address will not start working', () => {
    for (const responseCode of [550, 551, 552, 553]) {
      assert.equal(isPermanentRejection(smtpError({ code: 'EENVELOPE', responseCode, command: 'RCPT TO' })), true, String(responseCode));
    }
  });
  it('everything else is retried: no connection, timeouts, 4xx, other commands, other 5xx', () => {
    for (const e of [
      smtpError({ code: 'ECONNECTION' }),
      smtpError({ code: 'ETIMEDOUT' }),
      smtpError({ code: 'EENVELOPE', responseCode: 450, command: 'RCPT TO' }),
      smtpError({ code: 'EENVELOPE', responseCode: 530, command: 'MAIL FROM' }),
      smtpError({ code: 'EENVELOPE', responseCode: 554, command: 'RCPT TO' }),
      smtpError({ code: 'EMESSAGE', responseCode: 552, command: 'DATA' }),
      new Error('no answer within 100 ms'),
      'a string',
    ]) {
      assert.equal(isPermanentRejection(e), false, String((e as Error).message ?? e));
    }
  });
  it('error text names the code and the server answer once', () => {
    assert.equal(errorText(smtpError({ code: 'EENVELOPE', response: '550 Mailbox unavailable' })), "EENVELOPE: Can't send mail - all recipients were rejected (550 Mailbox unavailable)");
    assert.equal(errorText(new Error('Data command failed: 452 Too many')), 'Data command failed: 452 Too many');
    assert.equal(errorText(Object.assign(new Error('failed: 452 x'), { response: '452 x' })), 'failed: 452 x');
  });
});
