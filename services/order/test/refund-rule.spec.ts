import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@etsr/platform/testing';
import { confirmedOrder, createOrder } from './factories';
import { OrderServiceUnderTest, adminToken, startOrderForTest, userToken } from './harness';

/**
 * The box office rule: a buyer may cancel a paid order while none of its tickets was used at the
 * door; after that only an admin may refund it, with a reason. Decided atomically with check-in.
 */
describe('refunding a paid order whose tickets may have been used', () => {
  let svc: OrderServiceUnderTest;
  before(async () => {
    svc = await startOrderForTest();
  });
  after(() => svc.stop());

  const checkIn = (code: string) => svc.api.post(`/v1/tickets/${code}/check-in`, { token: adminToken() });
  const cancel = (orderId: string, token: string, body?: Record<string, unknown>) => svc.api.post(`/v1/orders/${orderId}/cancel`, { token, ...(body ? { body } : {}) });
  const all = (status: string, n = 2) => Array.from({ length: n }, () => status);
  const ticketStatuses = async (orderId: string) => (await svc.sql<{ status: string }>(`SELECT status FROM tickets WHERE order_id = $1 ORDER BY seat_id`, [orderId])).map((t) => t.status);

  it('its owner cannot cancel it once a ticket was checked in: 409 TICKETS_USED, nothing refunded, the other tickets still good', async () => {
    const { order, tickets, paymentId } = await confirmedOrder(svc);
    assert.equal((await checkIn(tickets[0].ticketCode)).status, 200);
    const res = await cancel(order.orderId, userToken(2));
    assert.equal(res.status, 409, res.text);
    assert.equal(res.body.error, 'TICKETS_USED');
    assert.deepEqual(res.body.details.usedTickets, [tickets[0].ticketCode]);
    assert.deepEqual(await ticketStatuses(order.orderId), all('VALID'));
    assert.equal((await checkIn(tickets[1].ticketCode)).status, 200, 'the unused tickets still admit');
    await svc.outboxSettled();
    assert.equal(svc.payment.refunds.has(paymentId), false);
  });

  it('an admin may refund it, with a reason, which the refund carries; without one, 400 REASON_REQUIRED', async () => {
    const { order, tickets, paymentId } = await confirmedOrder(svc);
    assert.equal((await checkIn(tickets[0].ticketCode)).status, 200);
    const bare = await cancel(order.orderId, adminToken());
    assert.equal(bare.status, 400, bare.text);
    assert.equal(bare.body.error, 'REASON_REQUIRED');
    const res = await cancel(order.orderId, adminToken(), { reason: 'Show cancelled after doors opened' });
    assert.equal(res.status, 202, res.text);
    await eventually(async () => svc.payment.refunds.get(paymentId), 10_000, 'the refund');
    assert.equal(svc.payment.refunds.get(paymentId), 'Show cancelled after doors opened');
  });

  it('a cancel voids the tickets at once: a scan before the refund completes is refused', async () => {
    const { order, tickets } = await confirmedOrder(svc);
    assert.equal((await cancel(order.orderId, userToken(2))).status, 202);
    assert.deepEqual(await ticketStatuses(order.orderId), all('VOID'));
    const scan = await checkIn(tickets[0].ticketCode);
    assert.equal(scan.status, 409, scan.text);
    assert.equal(scan.body.error, 'TICKET_VOID');
  });

  it('a check-in and a cancel at the same moment: exactly one of them wins, every time', async () => {
    const orders = await Promise.all(Array.from({ length: 12 }, () => confirmedOrder(svc)));
    const races = await Promise.all(orders.map(({ order, tickets }) => Promise.all([checkIn(tickets[0].ticketCode), cancel(order.orderId, userToken(2))])));
    for (const [i, [scan, cancelled]] of races.entries()) {
      const outcome = `${scan.status}/${cancelled.status}`;
      assert.ok(outcome === '200/409' || outcome === '409/202', `order ${i}: check-in ${scan.status} ${scan.text}, cancel ${cancelled.status} ${cancelled.text}`);
      const statuses = await ticketStatuses(orders[i].order.orderId);
      if (scan.status === 200) {
        assert.equal(cancelled.body.error, 'TICKETS_USED');
        assert.deepEqual(statuses, all('VALID'));
      } else {
        assert.equal(scan.body.error, 'TICKET_VOID');
        assert.deepEqual(statuses, all('VOID'));
      }
    }
  });

  describe('an admin refunds the unused tickets only', () => {
    const refundUnused = (orderId: string, token: string, body: Record<string, unknown> | undefined = { reason: 'Two of the party could not come' }) =>
      svc.api.post(`/v1/orders/${orderId}/refund-unused`, { token, ...(body ? { body } : {}) });
    /** The unused seats' share of the order's total, as the order's own prices give it. */
    const shareOf = (order: Record<string, any>, seatCodes: string[]) => {
      const items = order.items as { seatCode: string; priceCents: number }[];
      return Math.round((order.totalCents * items.filter((i) => seatCodes.includes(i.seatCode)).reduce((sum, i) => sum + i.priceCents, 0)) / order.subtotalCents);
    };

    it('voids the unused tickets and refunds their price only; the used one stays valid; PARTIALLY_REFUNDED; asking again refunds nothing more', async () => {
      const { order, tickets, paymentId } = await confirmedOrder(svc, { seatCount: 3 });
      assert.equal((await checkIn(tickets[0].ticketCode)).status, 200);
      const res = await refundUnused(order.orderId, adminToken());
      assert.equal(res.status, 202, res.text);
      assert.equal(res.body.order.status, 'PARTIALLY_REFUNDED');
      assert.deepEqual(res.body.voidedTickets, [tickets[1].ticketCode, tickets[2].ticketCode]);
      const expected = shareOf(order, [tickets[1].seatCode, tickets[2].seatCode]);
      assert.ok(expected > 0 && expected < order.totalCents);
      assert.equal(res.body.refundCents, expected);
      assert.deepEqual(await ticketStatuses(order.orderId), ['VALID', 'VOID', 'VOID']);

      const refunds = await eventually(async () => svc.payment.partialRefunds.get(paymentId), 10_000, 'the partial refund');
      assert.deepEqual([...refunds.values()], [{ amountCents: expected, reason: 'Two of the party could not come' }]);
      assert.equal(svc.payment.refunds.has(paymentId), false, 'no whole refund');
      const scan = await checkIn(tickets[1].ticketCode);
      assert.equal(scan.status, 409, scan.text);
      assert.equal(scan.body.error, 'TICKET_VOID');

      const again = await refundUnused(order.orderId, adminToken());
      assert.equal(again.status, 409, again.text);
      assert.equal(again.body.error, 'NOTHING_TO_REFUND');
      await svc.outboxSettled();
      assert.equal(svc.payment.partialRefunds.get(paymentId)!.size, 1);
      assert.equal((await svc.api.get(`/v1/orders/${order.orderId}`, { token: userToken(2) })).body.status, 'PARTIALLY_REFUNDED');

      // Later the box office refunds the rest (the used ticket too): its owner cannot, an admin with a reason can.
      const byOwner = await cancel(order.orderId, userToken(2));
      assert.equal(byOwner.status, 409, byOwner.text);
      assert.equal(byOwner.body.error, 'TICKETS_USED');
      const rest = await cancel(order.orderId, adminToken(), { reason: 'Show stopped after the interval' });
      assert.equal(rest.status, 202, rest.text);
      assert.deepEqual(await ticketStatuses(order.orderId), ['VOID', 'VOID', 'VOID']);
      await eventually(async () => svc.payment.refunds.get(paymentId), 10_000, 'the refund of the rest');
      assert.equal(svc.payment.refunds.get(paymentId), 'Show stopped after the interval');
    });

    it('admins only, with a reason: a buyer 403, no reason 400 REASON_REQUIRED, an unpaid order 409 ORDER_NOT_REFUNDABLE', async () => {
      const { order } = await confirmedOrder(svc);
      assert.equal((await refundUnused(order.orderId, userToken(2))).status, 403);
      const bare = await refundUnused(order.orderId, adminToken(), {});
      assert.equal(bare.status, 400, bare.text);
      assert.equal(bare.body.error, 'REASON_REQUIRED');
      assert.deepEqual(await ticketStatuses(order.orderId), all('VALID'));
      const unpaid = await createOrder(svc);
      const res = await refundUnused(unpaid.order.orderId, adminToken());
      assert.equal(res.status, 409, res.text);
      assert.equal(res.body.error, 'ORDER_NOT_REFUNDABLE');
    });

    it('a refund of the unused tickets racing a check-in: exactly one wins for the ticket, every time', async () => {
      const orders = await Promise.all(Array.from({ length: 10 }, () => confirmedOrder(svc)));
      // One ticket of each order was used already; the other is scanned while the box office refunds.
      for (const { tickets } of orders) assert.equal((await checkIn(tickets[1].ticketCode)).status, 200);
      const races = await Promise.all(orders.map(({ order, tickets }) => Promise.all([checkIn(tickets[0].ticketCode), refundUnused(order.orderId, adminToken())])));
      await svc.outboxSettled();
      for (const [i, [scan, refunded]] of races.entries()) {
        const { order, tickets, paymentId } = orders[i];
        const outcome = `${scan.status}/${refunded.status}`;
        assert.ok(outcome === '200/409' || outcome === '409/202', `order ${i}: check-in ${scan.status} ${scan.text}, refund ${refunded.status} ${refunded.text}`);
        const statuses = await ticketStatuses(order.orderId);
        if (scan.status === 200) {
          assert.equal(refunded.body.error, 'NOTHING_TO_REFUND');
          assert.deepEqual(statuses, all('VALID'));
          assert.equal(svc.payment.partialRefunds.has(paymentId), false);
        } else {
          assert.equal(scan.body.error, 'TICKET_VOID');
          assert.deepEqual(refunded.body.voidedTickets, [tickets[0].ticketCode]);
          assert.deepEqual(statuses, ['VOID', 'VALID']);
          assert.deepEqual([...svc.payment.partialRefunds.get(paymentId)!.values()].map((r) => r.amountCents), [shareOf(order, [tickets[0].seatCode])]);
        }
      }
    });
  });
});
