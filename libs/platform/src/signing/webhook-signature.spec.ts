import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signPayload, verifySignature } from './webhook-signature';

describe('webhook signatures', () => {
  const secret = 's'.repeat(40);
  const body = '{"order_id":"7f7ddc5b-2099-44a1-9f52-3089eb15c1d9","status":"SUCCESS"}';
  const now = 1_800_000_000;

  it('accepts its own signature within the window', () => {
    verifySignature(secret, signPayload(secret, body, now), body, 300, now + 299);
  });

  it('refuses a changed body, another secret, a stale or future timestamp, and garbage', () => {
    const header = signPayload(secret, body, now);
    const refused = (h: string | undefined, b = body, at = now) => assert.throws(() => verifySignature(secret, h, b, 300, at), (e: { status?: number }) => e.status === 401);
    refused(header, body.replace('SUCCESS', 'FAILED'));
    refused(signPayload('x'.repeat(40), body, now));
    refused(header, body, now + 301);
    refused(header, body, now - 301);
    refused(undefined);
    refused('t=abc,v1=def');
    refused(`t=${now},v1=${'0'.repeat(64)}`);
  });
});
