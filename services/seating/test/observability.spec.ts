import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { metricValue, schemaDrift } from '@etsr/platform/testing';
import { createPlan } from './factories';
import { SeatingUnderTest, serviceToken, startSeatingForTest, userToken } from './harness';

describe('seating: health, metrics, documentation, change feed, schema', () => {
  let svc: SeatingUnderTest;
  before(async () => {
    svc = await startSeatingForTest();
  });
  after(() => svc.stop());

  it('health at /actuator/health and /health checks the database', async () => {
    for (const path of ['/actuator/health', '/health']) {
      const res = await svc.api.get(path);
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'UP');
    }
  });

  it('exports its business metrics at /actuator/prometheus', async () => {
    const text = (await svc.api.get('/actuator/prometheus')).text;
    for (const name of ['seat_reservations_total', 'expired_reservations_released_total', 'seats_currently_reserved_count', 'http_server_requests_seconds_count']) {
      assert.ok(text.includes(`${name}{`) || text.includes(`${name} `), name);
    }
    assert.notEqual(metricValue(text, 'seat_reservations_total', { status: 'failed' }), undefined);
  });

  it('documents every public and internal endpoint at /docs-json', async () => {
    const doc = (await svc.api.get('/docs-json')).body;
    for (const path of [
      '/v1/seats/availability',
      '/v1/seats',
      '/v1/seats/stream',
      '/v1/seats/{id}',
      '/v1/seats/bulk',
      '/v1/seats/reserve',
      '/v1/seats/reservation/{id}',
      '/v1/seats/allocate',
      '/v1/seats/release',
      '/v1/seats/{id}/block',
      '/v1/seats/{id}/unblock',
      '/internal/v1/availability',
      '/internal/v1/reservations/{id}/order',
      '/internal/v1/seats/allocate',
      '/internal/v1/seats/release',
    ]) {
      assert.ok(doc.paths[path], path);
    }
    assert.deepEqual(doc.components.schemas.ReserveSeatsDto.properties.seatIds.example, [45, 46, 47]);
    assert.ok(doc.paths['/v1/seats/stream'].get.responses['200'].content['text/event-stream'], 'the feed is documented as an event stream');
    assert.ok(doc.paths['/v1/seats'].get.responses['304'], 'the map documents 304');
    assert.ok(doc.paths['/v1/seats'].get.responses['200'].headers.ETag, 'and its ETag');
  });

  it('the change feed lists events whose seats changed since a time (service credential only)', async () => {
    const plan = await createPlan(svc.api);
    const all = await svc.api.get('/internal/v1/availability', { token: serviceToken('catalog') });
    assert.equal(all.status, 200);
    const mine = all.body.events.find((e: { eventId: number }) => e.eventId === plan.eventId);
    assert.deepEqual(mine, { eventId: plan.eventId, totalSeats: 100, availableSeats: 100, reservedSeats: 0, allocatedSeats: 0, blockedSeats: 0 });

    const since = all.body.asOf;
    const quiet = await svc.api.get(`/internal/v1/availability?changedSince=${encodeURIComponent(since)}`, { token: serviceToken('catalog') });
    assert.deepEqual(quiet.body.events, []);
    await svc.api.post('/v1/seats/reserve', { token: userToken(3), body: { eventId: plan.eventId, seatIds: plan.all.slice(0, 2) } });
    const changed = await svc.api.get(`/internal/v1/availability?changedSince=${encodeURIComponent(since)}`, { token: serviceToken('catalog') });
    assert.deepEqual(changed.body.events.map((e: { eventId: number; availableSeats: number }) => [e.eventId, e.availableSeats]), [[plan.eventId, 98]]);

    assert.equal((await svc.api.get('/internal/v1/availability', { token: userToken(3) })).status, 403);
    assert.equal((await svc.api.get('/internal/v1/availability')).status, 401);
    assert.equal((await svc.api.get('/internal/v1/availability?changedSince=yesterday', { token: serviceToken('catalog') })).status, 400);
  });

  it('the schema the migrations build is exactly what the entities describe', async () => {
    const { database } = await import('../src/database.js');
    assert.deepEqual(await schemaDrift(svc.db.url, database.entities), []);
  });
});
