import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { schemaDrift } from '@etsr/platform/testing';
import { chargeBody, newKey } from './factories';
import { PaymentServiceUnderTest, startPaymentForTest } from './harness';

describe('payment: health, metrics, documentation, schema', () => {
  let svc: PaymentServiceUnderTest;
  before(async () => {
    svc = await startPaymentForTest();
  });
  after(() => svc.stop());

  for (const path of ['/health', '/actuator/health']) {
    it(`${path} answers UP with the database check`, async () => {
      const res = await svc.api.get(path);
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'UP');
      assert.equal(res.body.service, 'payment');
      assert.equal(res.body.components.db.status, 'UP');
    });
  }

  it('exports its business metrics at /metrics, and they move', async () => {
    const before = (await svc.api.get('/metrics')).text;
    for (const name of [
      'payment_transactions_total',
      'refund_transactions_total',
      'idempotent_cache_hits_total',
      'payment_processing_seconds_count',
      'payments_pending_count',
      'payments_recovered_total',
      'outbox_pending_messages',
      'process_cpu_seconds_total',
    ]) {
      assert.ok(before.includes(`${name}{`) || before.includes(`${name} `), name);
    }
    const value = (text: string, name: string, labels?: Record<string, string>) => {
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels ?? {}).every(([k, v]) => l.includes(`${k}="${v}"`)));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const order = svc.orders.addOrder();
    const declined = svc.orders.addOrder();
    await svc.api.post('/v1/charge', { body: chargeBody(order), headers: { 'Idempotency-Key': newKey() } });
    await svc.api.post('/v1/charge', { body: chargeBody(declined, { payment_method: 'TEST_DECLINE' }), headers: { 'Idempotency-Key': newKey() } });
    const after = (await svc.api.get('/metrics')).text;
    assert.equal(value(after, 'payment_transactions_total', { status: 'SUCCESS' }), value(before, 'payment_transactions_total', { status: 'SUCCESS' }) + 1);
    assert.equal(value(after, 'payment_transactions_total', { status: 'FAILED' }), value(before, 'payment_transactions_total', { status: 'FAILED' }) + 1);
    assert.equal(value(after, 'payment_processing_seconds_count'), value(before, 'payment_processing_seconds_count') + 2);
    assert.ok(value(after, 'http_server_requests_seconds_count', { route: '/v1/charge', status: '201' }) >= 2);
  });

  it('documents every endpoint at /docs-json, with an example on every field', async () => {
    const doc = (await svc.api.get('/docs-json')).body;
    for (const [path, method] of [
      ['/v1/charge', 'post'],
      ['/v1/payments/charge', 'post'],
      ['/v1/payments/{id}', 'get'],
      ['/v1/payments', 'get'],
      ['/v1/refund', 'post'],
      ['/internal/v1/payments', 'get'],
    ]) {
      assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
    }
    assert.ok(doc.paths['/v1/charge'].post.parameters.some((p: { name: string; in: string }) => p.name === 'Idempotency-Key' && p.in === 'header'));
    for (const [name, schema] of Object.entries(doc.components.schemas) as [string, { properties: Record<string, Record<string, unknown>> }][]) {
      for (const [field, property] of Object.entries(schema.properties ?? {})) {
        const nested = property.$ref || property.allOf || (property.items as Record<string, unknown> | undefined)?.$ref;
        assert.ok(nested || property.example !== undefined, `${name}.${field} has no example`);
      }
    }
    assert.equal(doc.components.schemas.ChargeDto.properties.merchant_order_id.example, 'b418c1e8-908f-4c90-b77d-5d99c52b1fa3');
    for (const path of ['page', 'limit', 'status', 'from', 'to', 'merchant_order_id']) {
      assert.ok(doc.paths['/v1/payments'].get.parameters.some((p: { name: string; example?: unknown; schema?: { example?: unknown } }) => p.name === path), path);
    }
    const ui = await svc.api.get('/docs');
    assert.equal(ui.status, 200);
    assert.match(ui.text, /swagger-ui/);
  });

  it('the schema the migrations build is exactly what the entities describe', async () => {
    const { database } = await import('../src/database.js');
    assert.deepEqual(await schemaDrift(svc.db.url, database.entities), []);
  });

  it('the migration made the idempotency and outbox tables of the platform', async () => {
    const tables = await svc.sql<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`);
    assert.deepEqual(tables.map((t) => t.table_name), ['idempotency_keys', 'migrations', 'outbox', 'payment_refunds', 'payments']);
  });
});
