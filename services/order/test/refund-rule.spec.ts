import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '@etsr/platform/testing';
import { confirmedOrder } from './factories';
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
});
