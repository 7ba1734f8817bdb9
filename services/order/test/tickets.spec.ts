import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { TicketSigner } from '../src/services/ticket-signer';
import { TicketView, callbackBody, confirmedOrder, createOrder, waitForStatus } from './factories';
import { OrderServiceUnderTest, TICKET_SIGNING_KEY, adminToken, serviceToken, startOrderForTest, userToken } from './harness';


describe('tickets: QR codes, signatures, verification and check-in', () => {
  let svc: OrderServiceUnderTest;
  let order: Record<string, any>;
  let tickets: TicketView[];
  before(async () => {
    svc = await startOrderForTest();
    ({ order, tickets } = await confirmedOrder(svc, { seatCount: 3, userId: 4 }));
  });
  after(() => svc.stop());

  const admin = adminToken();
  /** A scan at the door, by an admin unless another token (or null: none) is given. */
  const checkIn = (code: string, token: string | null = admin) => svc.api.post(`/v1/tickets/${code}/check-in`, { token: token ?? undefined });

  it('an order has no tickets until it is paid', async () => {
    const { order: pending } = await createOrder(svc, { userId: 4 });
    const res = await svc.api.get(`/v1/orders/${pending.orderId}/tickets`, { token: userToken(4) });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { orderId: pending.orderId, status: 'PENDING', tickets: [] });
  });

  it("lists the tickets with their QR codes to the owner and an admin, not to another user", async () => {
    assert.equal(tickets.length, 3);
    for (const [i, t] of tickets.entries()) {
      assert.deepEqual(Object.keys(t), ['ticketId', 'seatId', 'seatCode', 'ticketCode', 'status', 'issuedAt', 'checkedInAt', 'qrPayload', 'qrCode']);
      assert.equal(t.seatId, order.items[i].seatId);
      assert.equal(t.seatCode, order.items[i].seatCode);
      assert.equal(t.status, 'VALID');
      assert.equal(t.checkedInAt, null);
      assert.match(t.ticketId, /^[0-9a-f-]{36}$/);
      assert.match(t.qrCode, /^data:image\/png;base64,iVBORw0KGgo/);
    }
    const asAdmin = await svc.api.get(`/v1/orders/${order.orderId}/tickets`, { token: admin });
    assert.equal(asAdmin.status, 200);
    assert.deepEqual(asAdmin.body.tickets, tickets);
    assert.equal((await svc.api.get(`/v1/orders/${order.orderId}/tickets`, { token: userToken(5) })).status, 403);
    assert.equal((await svc.api.get(`/v1/orders/${order.orderId}/tickets`)).status, 401);
  });

  it('each QR payload is signed with the configured Ed25519 key, verifiable offline with the published public key, and names its ticket', async () => {
    const published = await svc.api.get('/v1/tickets/public-key');
    assert.equal(published.status, 200, 'public: scanners need no account');
    assert.equal(published.body.algorithm, 'Ed25519');
    assert.equal(published.body.publicKeyPem, new TicketSigner(TICKET_SIGNING_KEY).publicKeyPem(), 'the key of TICKET_SIGNING_KEY');
    const key = createPublicKey(published.body.publicKeyPem);
    for (const t of tickets) {
      const [body, signature, extra] = t.qrPayload.split('.');
      assert.equal(extra, undefined);
      assert.ok(verify(null, Buffer.from(body), key, Buffer.from(signature, 'base64url')), 'the signature verifies');
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      assert.deepEqual({ ...claims, iat: undefined }, { v: 1, tc: t.ticketCode, o: order.orderId, e: 1, s: t.seatId, sc: t.seatCode, iat: undefined });
      assert.ok(Math.abs(claims.iat - Date.parse(t.issuedAt) / 1000) < 60);
      // Another key's signature over the same claims does not verify.
      const other = generateKeyPairSync('ed25519');
      assert.ok(!verify(null, Buffer.from(body), key, sign(null, Buffer.from(body), other.privateKey)));
    }
  });

  it('GET /v1/tickets/{code}/qr.png is the QR code of the list as an image', async () => {
    const t = tickets[0];
    const res = await fetch(`${svc.url}/v1/tickets/${t.ticketCode}/qr.png`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.equal(res.headers.get('cache-control'), 'private, max-age=3600');
    const png = Buffer.from(await res.arrayBuffer());
    assert.deepEqual(png.subarray(0, 8), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    assert.deepEqual(png, Buffer.from(t.qrCode.split(',')[1], 'base64'), 'the same image as the data URL');
  });

  it('GET /v1/tickets/{code} checks a ticket without a token: genuine, valid, not used', async () => {
    const t = tickets[1];
    const res = await svc.api.get(`/v1/tickets/${t.ticketCode}`);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { ticketCode: t.ticketCode, eventId: 1, seatCode: t.seatCode, status: 'VALID', checkedInAt: null, valid: true });
  });

  it('a ticket whose stored payload was tampered with, or signed by another key, is reported not valid', async () => {
    const { tickets: [forged, foreign] } = await confirmedOrder(svc, { userId: 4 });
    const [body, signature] = forged.qrPayload.split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    const changed = `${Buffer.from(JSON.stringify({ ...claims, s: claims.s + 1 })).toString('base64url')}.${signature}`;
    await svc.sql(`UPDATE tickets SET signed_payload = $2 WHERE ticket_code = $1`, [forged.ticketCode, changed]);
    const elsewhere = new TicketSigner('ab'.repeat(32)).sign({ ...claims, tc: foreign.ticketCode, s: foreign.seatId, sc: foreign.seatCode });
    await svc.sql(`UPDATE tickets SET signed_payload = $2 WHERE ticket_code = $1`, [foreign.ticketCode, elsewhere]);
    for (const t of [forged, foreign]) {
      const res = await svc.api.get(`/v1/tickets/${t.ticketCode}`);
      assert.equal(res.status, 200);
      assert.deepEqual([res.body.status, res.body.valid], ['VALID', false], t.ticketCode);
    }
  });

  it('unknown codes are 404, malformed ones 400, on every ticket path', async () => {
    const unknown = 'TCK-0000000000000000000Z';
    assert.equal((await svc.api.get(`/v1/tickets/${unknown}`)).body.error, 'TICKET_NOT_FOUND');
    assert.equal((await svc.api.get(`/v1/tickets/${unknown}/qr.png`)).status, 404);
    assert.equal((await checkIn(unknown)).status, 404);
    for (const code of ['abc', 'tck-ABC', 'TCK-abc', `TCK-${'A'.repeat(37)}`, 'TCK-AB%3BDROP', 'TCK-']) {
      for (const res of [await svc.api.get(`/v1/tickets/${code}`), await svc.api.get(`/v1/tickets/${code}/qr.png`), await checkIn(code)]) {
        assert.equal(res.status, 400, `${code}: ${res.text}`);
        assert.equal(res.body.error, 'INVALID_ID');
      }
    }
  });

  it('check-in is for admins only, admits a ticket once, and the ticket then reads used', async () => {
    const t = tickets[2];
    assert.equal((await checkIn(t.ticketCode, null)).status, 401);
    assert.equal((await checkIn(t.ticketCode, userToken(4))).status, 403, 'not even its owner');
    assert.equal((await checkIn(t.ticketCode, serviceToken('payment'))).status, 403);
    const first = await checkIn(t.ticketCode);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.ticketCode, t.ticketCode);
    assert.equal(first.body.valid, false, 'used now');
    assert.ok(Math.abs(Date.parse(first.body.checkedInAt) - Date.now()) < 60_000);
    const second = await checkIn(t.ticketCode);
    assert.equal(second.status, 409);
    assert.equal(second.body.error, 'ALREADY_CHECKED_IN');
    assert.match(second.body.message, new RegExp(first.body.checkedInAt.replace(/\./g, '\\.')));
    const read = await svc.api.get(`/v1/tickets/${t.ticketCode}`);
    assert.deepEqual([read.body.valid, read.body.checkedInAt], [false, first.body.checkedInAt]);
  });

  it('twenty scans of one ticket at once: exactly one admits it', async () => {
    const { tickets: [t] } = await confirmedOrder(svc, { userId: 4, seatCount: 1 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => checkIn(t.ticketCode)));
    assert.equal(answers.filter((a) => a.status === 200).length, 1, answers.map((a) => a.text).join('\n'));
    assert.deepEqual(answers.filter((a) => a.status !== 200).map((a) => [a.status, a.body.error]), Array(19).fill([409, 'ALREADY_CHECKED_IN']));
    const [row] = await svc.sql<{ checked_in_at: Date }>(`SELECT checked_in_at FROM tickets WHERE ticket_code = $1`, [t.ticketCode]);
    assert.equal(row.checked_in_at.toISOString(), answers.find((a) => a.status === 200)!.body.checkedInAt);
  });

  it('the tickets of a refunded order are void: not valid, and refused at the door', async () => {
    const { order: refunded, paymentId, tickets: [t] } = await confirmedOrder(svc, { userId: 4, seatCount: 1 });
    await svc.callback(callbackBody(refunded.orderId, paymentId, 'REFUNDED'));
    await waitForStatus(svc, refunded.orderId, 'REFUNDED');
    const read = await svc.api.get(`/v1/tickets/${t.ticketCode}`);
    assert.deepEqual([read.body.status, read.body.valid], ['VOID', false]);
    const scan = await checkIn(t.ticketCode);
    assert.equal(scan.status, 409);
    assert.equal(scan.body.error, 'TICKET_VOID');
    const listed = await svc.api.get(`/v1/orders/${refunded.orderId}/tickets`, { token: userToken(4) });
    assert.deepEqual(listed.body.tickets.map((x: TicketView) => x.status), ['VOID']);
  });
});
