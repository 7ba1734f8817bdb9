import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { TicketSigner } from './ticket-signer';

describe('TicketSigner', () => {
  const signer = new TicketSigner('a'.repeat(64));
  const claims = { v: 1 as const, tc: 'TCK-ABC', o: '7f7ddc5b-2099-44a1-9f52-3089eb15c1d9', e: 1, s: 101, sc: 'PREMIUM-F-1', iat: 1_800_000_000 };

  it('signs a payload that verifies with the public key alone (offline scanner)', () => {
    const payload = signer.sign(claims);
    assert.deepEqual(signer.verify(payload), claims);
    const [body, signature] = payload.split('.');
    assert.ok(verify(null, Buffer.from(body), signer.publicKey, Buffer.from(signature, 'base64url')));
    assert.match(signer.publicKeyPem(), /BEGIN PUBLIC KEY/);
  });

  it('refuses a changed payload and a signature by another key', () => {
    const payload = signer.sign(claims);
    const [, signature] = payload.split('.');
    const forged = `${Buffer.from(JSON.stringify({ ...claims, s: 102 })).toString('base64url')}.${signature}`;
    assert.equal(signer.verify(forged), null);
    assert.equal(new TicketSigner('b'.repeat(64)).verify(payload), null);
    assert.equal(signer.verify('garbage'), null);
  });

  it('accepts a PKCS#8 PEM key', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const s = new TicketSigner(pem);
    assert.deepEqual(s.verify(s.sign(claims)), claims);
  });

  it('issues unguessable, distinct ticket codes', () => {
    const codes = new Set(Array.from({ length: 1000 }, () => signer.newTicketCode()));
    assert.equal(codes.size, 1000);
    for (const code of codes) assert.match(code, /^TCK-[0-9A-HJKMNP-TV-Z]{20}$/);
  });
});
