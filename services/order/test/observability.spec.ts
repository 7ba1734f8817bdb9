import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '@etsr/platform/testing';
import { DataSource } from 'typeorm';
import { callbackBody, confirmedOrder, createOrder, newPaymentId, waitForStatus } from './factories';
import { OrderServiceUnderTest, startOrderForTest } from './harness';

describe('order: health, metrics, documentation, schema', () => {
  let svc: OrderServiceUnderTest;
  before(async () => {
    svc = await startOrderForTest();
  });
  after(() => svc.stop());

  for (const path of ['/health', '/actuator/health']) {
    it(`${path} answers UP with the database check, without a token`, async () => {
      const res = await svc.api.get(path);
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'UP');
      assert.equal(res.body.service, 'order');
      assert.equal(res.body.components.db.status, 'UP');
      assert.equal(res.headers.get('cache-control'), 'no-store');
    });
  }

  it('exports the booking metrics at /metrics, and they move when a booking happens', async () => {
    const res = await svc.api.get('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    for (const [name, type] of [
      ['orders_created_total', 'counter'],
      ['orders_confirmed_total', 'counter'],
      ['order_revenue_cents_total', 'counter'],
      ['orders_refunded_total', 'counter'],
      ['tickets_issued_total', 'counter'],
      ['payment_callbacks_total', 'counter'],
      ['outbox_pending_messages', 'gauge'],
      ['outbox_oldest_pending_seconds', 'gauge'],
      ['outbox_deliveries_total', 'counter'],
      ['http_server_requests_seconds', 'histogram'],
      ['process_cpu_seconds_total', 'counter'],
    ]) {
      assert.ok(res.text.includes(`# TYPE ${name} ${type}\n`), `${name} (${type})`);
    }

    // A booking for an event no other test uses: event 77, three seats at 100.00.
    const ev = { event_id: '77' };
    const n = async (name: string, labels: Record<string, string> = {}) => (await svc.metric(name, labels)) ?? 0;
    const before = {
      tickets: await n('tickets_issued_total'),
      applied: await n('payment_callbacks_total', { status: 'SUCCESS', outcome: 'applied' }),
      duplicate: await n('payment_callbacks_total', { status: 'SUCCESS', outcome: 'duplicate' }),
      unknown: await n('payment_callbacks_total', { status: 'SUCCESS', outcome: 'unknown_order' }),
      requested: await n('orders_refunded_total', { reason: 'requested' }),
      allocations: await n('outbox_deliveries_total', { topic: 'order.allocate', outcome: 'sent' }),
    };
    const { order, paymentId, token } = await confirmedOrder(svc, { eventId: 77, seatCount: 3 });
    await svc.callback(callbackBody(order.orderId, paymentId, 'SUCCESS'));
    await svc.callback(callbackBody('7f7ddc5b-2099-44a1-9f52-3089eb15c1d9', newPaymentId(), 'SUCCESS'));
    await svc.api.post(`/v1/orders/${order.orderId}/cancel`, { token });
    await svc.callback(callbackBody(order.orderId, paymentId, 'REFUNDED'));
    await waitForStatus(svc, order.orderId, 'REFUNDED');
    await svc.outboxSettled();

    assert.equal(await n('orders_created_total', ev), 1);
    assert.equal(await n('orders_confirmed_total', ev), 1);
    assert.equal(await n('order_revenue_cents_total', { ...ev, currency: 'INR' }), 33000);
    assert.equal(await n('tickets_issued_total'), before.tickets + 3);
    assert.equal(await n('payment_callbacks_total', { status: 'SUCCESS', outcome: 'applied' }), before.applied + 1);
    assert.equal(await n('payment_callbacks_total', { status: 'SUCCESS', outcome: 'duplicate' }), before.duplicate + 1);
    assert.equal(await n('payment_callbacks_total', { status: 'SUCCESS', outcome: 'unknown_order' }), before.unknown + 1);
    assert.equal(await n('orders_refunded_total', { reason: 'requested' }), before.requested + 1);
    assert.equal(await n('outbox_deliveries_total', { topic: 'order.allocate', outcome: 'sent' }), before.allocations + 1);
    assert.equal(await n('outbox_pending_messages', { topic: 'order.allocate' }), 0);
    assert.ok((await n('http_server_requests_seconds_count', { method: 'POST', route: '/v1/orders', status: '201' })) >= 1);
    assert.ok((await n('http_server_requests_seconds_count', { method: 'POST', route: '/v1/payments/callback', status: '404' })) >= 1);
  });

  it('unknown paths are 404 with the error body', async () => {
    const res = await svc.api.get('/v1/bookings');
    assert.equal(res.status, 404);
    assert.equal(res.body.error, 'NOT_FOUND');
    assert.equal(typeof res.body.traceId, 'string');
  });

  it('documents every endpoint at /docs-json, with an example on every field', async () => {
    const doc = (await svc.api.get('/docs-json')).body;
    for (const [path, methods] of Object.entries({
      '/v1/orders': ['post', 'get'],
      '/v1/orders/{id}': ['get'],
      '/v1/orders/{id}/tickets': ['get'],
      '/v1/orders/{id}/cancel': ['post'],
      '/v1/payments/callback': ['post'],
      '/v1/orders/callback': ['post'],
      '/v1/tickets/public-key': ['get'],
      '/v1/tickets/{code}': ['get'],
      '/v1/tickets/{code}/qr.png': ['get'],
      '/v1/tickets/{code}/check-in': ['post'],
      '/internal/v1/orders/{id}': ['get'],
      '/internal/v1/import/orders': ['post'],
      '/health': ['get'],
    })) {
      for (const method of methods) assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
    }
    assert.ok(doc.paths['/v1/orders'].post.parameters.some((p: { name: string; in: string; required: boolean }) => p.name === 'Idempotency-Key' && p.in === 'header' && p.required));
    assert.ok(doc.paths['/v1/payments/callback'].post.parameters.some((p: { name: string; in: string }) => p.name === 'x-signature' && p.in === 'header'));
    for (const name of ['page', 'limit', 'userId']) {
      assert.ok(doc.paths['/v1/orders'].get.parameters.some((p: { name: string }) => p.name === name), name);
    }
    const schemas = doc.components.schemas as Record<string, { properties?: Record<string, Record<string, unknown>> }>;
    for (const name of ['CreateOrderDto', 'OrderDto', 'OrderItemDto', 'OrderPageDto', 'PaymentCallbackDto', 'TicketDto', 'OrderTicketsDto', 'TicketCheckDto', 'ImportOrdersDto', 'ImportOrderDto', 'ImportOrderItemDto', 'ImportOrdersResultDto']) {
      assert.ok(schemas[name], name);
    }
    for (const [name, schema] of Object.entries(schemas)) {
      for (const [field, property] of Object.entries(schema.properties ?? {})) {
        const nested = property.$ref || property.allOf || (property.items as Record<string, unknown> | undefined)?.$ref;
        assert.ok(nested || property.example !== undefined, `${name}.${field} has no example`);
      }
    }
    assert.equal(schemas.CreateOrderDto.properties!.reservation_id.example, 'res_abc123xyz');
    // The callback's documented answer is the one it sends.
    const { order } = await createOrder(svc);
    const answer = await svc.callback(callbackBody(order.orderId, newPaymentId(), 'FAILED'));
    assert.deepEqual(Object.keys(answer.body), Object.keys(doc.paths['/v1/payments/callback'].post.responses['200'].content['application/json'].schema.example));
    const ui = await svc.api.get('/docs');
    assert.equal(ui.status, 200);
    assert.match(ui.text, /swagger-ui/);
  });

  it('the schema has the tables and columns the repositories write, and the unique keys the guarantees rest on', async () => {
    // The order service maps rows itself (no TypeORM entities, so no entity/schema comparison to
    // make): its SQL names these columns, and the guarantees below are these indexes.
    const tables = await svc.sql<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`);
    assert.deepEqual(tables.map((t) => t.table_name), ['idempotency_keys', 'migrations', 'order_items', 'orders', 'outbox', 'processed_callbacks', 'tickets']);
    const columns = await svc.sql<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
    );
    const of = (table: string) => columns.filter((c) => c.table_name === table).map((c) => c.column_name);
    assert.deepEqual(of('orders'), [
      'id', 'user_id', 'customer_email', 'event_id', 'reservation_id', 'subtotal_cents', 'tax_cents', 'total_cents', 'currency', 'status',
      'payment_id', 'hold_expires_at', 'failure_reason', 'created_at', 'updated_at', 'event_name', 'external_ref',
    ]);
    assert.deepEqual(of('order_items'), ['id', 'order_id', 'seat_id', 'seat_code', 'seat_price_cents', 'created_at']);
    assert.deepEqual(of('tickets'), ['id', 'order_id', 'event_id', 'seat_id', 'seat_code', 'ticket_code', 'signed_payload', 'status', 'checked_in_at', 'issued_at', 'voided_at']);
    assert.deepEqual(of('processed_callbacks'), ['callback_key', 'order_id', 'received_at']);
    assert.ok(of('idempotency_keys').includes('lease_expires_at'), 'a claimed key has a lease');
    const unique = await svc.sql<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexdef LIKE 'CREATE UNIQUE%' ORDER BY indexname`);
    for (const index of ['orders_reservation_key', 'orders_external_ref_key', 'order_items_order_seat_key', 'tickets_code_key', 'tickets_order_seat_key', 'tickets_valid_seat_key', 'processed_callbacks_pkey', 'outbox_dedupe_key', 'idempotency_keys_pkey']) {
      assert.ok(unique.some((u) => u.indexname === index), index);
    }
    const [{ n }] = await svc.sql<{ n: number }>('SELECT count(*)::int AS n FROM migrations');
    assert.equal(n, 6); // every migration of src/database.ts
  });

  it('the database refuses what the API refuses, even if a bug let it through', async () => {
    const { order } = await confirmedOrder(svc);
    const [ticket] = await svc.sql<{ event_id: string; seat_id: string }>(`SELECT event_id, seat_id FROM tickets WHERE order_id = $1 LIMIT 1`, [order.orderId]);
    const other = (await createOrder(svc)).order;
    for (const [sql, params] of [
      [`UPDATE orders SET total_cents = total_cents + 1 WHERE id = $1`, [order.orderId]],
      [`UPDATE orders SET tax_cents = -1, total_cents = subtotal_cents - 1 WHERE id = $1`, [order.orderId]],
      [`UPDATE orders SET status = 'SHIPPED' WHERE id = $1`, [order.orderId]],
      [`UPDATE orders SET reservation_id = $2 WHERE id = $1`, [other.orderId, order.reservationId]],
      [`UPDATE tickets SET status = 'USED' WHERE order_id = $1`, [order.orderId]],
      [`INSERT INTO tickets (order_id, event_id, seat_id, seat_code, ticket_code, signed_payload) VALUES ($1, $2, $3, 'X', 'TCK-DUPLICATE', 'x')`, [other.orderId, ticket.event_id, ticket.seat_id]],
      [`INSERT INTO order_items (order_id, seat_id, seat_code, seat_price_cents) VALUES ($1, 1, 'X', 1)`, ['7f7ddc5b-2099-44a1-9f52-3089eb15c1d9']],
    ] as [string, unknown[]][]) {
      await assert.rejects(svc.sql(sql, params), sql);
    }
  });

  it('the migrations revert and apply again cleanly', async () => {
    const { database } = await import('../src/database.js');
    const db = await createTestDatabase('ordermig');
    const ds = await new DataSource({ type: 'postgres', url: db.url, entities: database.entities, migrations: database.migrations, migrationsTableName: 'migrations' }).initialize();
    try {
      assert.equal((await ds.runMigrations()).length, ds.migrations.length);
      for (let i = 0; i < ds.migrations.length; i++) await ds.undoLastMigration();
      const left = await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`);
      assert.deepEqual(left.map((t: { table_name: string }) => t.table_name), ['migrations']);
      assert.equal((await ds.runMigrations()).length, ds.migrations.length);
      // No entities: TypeORM has nothing it would create or change.
      assert.deepEqual((await ds.driver.createSchemaBuilder().log()).upQueries, []);
    } finally {
      await ds.destroy();
      await db.drop();
    }
  });

  it('renaming PAYMENT_PROCESSING to ALLOCATING moves the orders that have it, and back on revert', async () => {
    const { database } = await import('../src/database.js');
    const db = await createTestDatabase('orderrename');
    const options = { type: 'postgres' as const, url: db.url, entities: database.entities, migrationsTableName: 'migrations' };
    const before = await new DataSource({ ...options, migrations: (database.migrations as Function[]).slice(0, -1) }).initialize();
    const statusOf = async (ds: DataSource) => (await ds.query(`SELECT status FROM orders ORDER BY user_id`)).map((r: { status: string }) => r.status);
    try {
      await before.runMigrations();
      for (const [userId, status] of [[1, 'PAYMENT_PROCESSING'], [2, 'CONFIRMED']] as const) {
        await before.query(
          `INSERT INTO orders (id, user_id, event_id, reservation_id, subtotal_cents, tax_cents, total_cents, currency, status, hold_expires_at)
           VALUES (gen_random_uuid(), $1, 1, $2, 100, 0, 100, 'INR', $3, now())`,
          [userId, `res_${userId}`, status],
        );
      }
    } finally {
      await before.destroy();
    }
    const ds = await new DataSource({ ...options, migrations: database.migrations }).initialize();
    try {
      assert.equal((await ds.runMigrations()).length, 1);
      assert.deepEqual(await statusOf(ds), ['ALLOCATING', 'CONFIRMED']);
      await assert.rejects(ds.query(`UPDATE orders SET status = 'PAYMENT_PROCESSING' WHERE user_id = 1`), /orders_status_check/);
      await ds.undoLastMigration();
      assert.deepEqual(await statusOf(ds), ['PAYMENT_PROCESSING', 'CONFIRMED']);
    } finally {
      await ds.destroy();
      await db.drop();
    }
  });
});
