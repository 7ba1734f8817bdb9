import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { metricValue, schemaDrift } from '@etsr/platform/testing';
import { createEvent, createVenue } from './factories';
import { ADMIN_TOKEN, CatalogServiceUnderTest, startCatalogServiceForTest } from './harness';

describe('health, metrics, documentation and schema', () => {
  let svc: CatalogServiceUnderTest;
  before(async () => {
    svc = await startCatalogServiceForTest();
  });
  after(() => svc.stop());

  it('/health answers UP with the database check, without a token', async () => {
    const res = await svc.api.get('/health');
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'UP');
    assert.equal(res.body.service, 'catalog');
    assert.equal(res.body.components.db.status, 'UP');
  });

  it('/metrics has the HTTP histogram, process metrics and catalog_events_count{status} read from the database', async () => {
    const read = async () => (await svc.api.get('/metrics')).text;
    const before = await read();
    for (const status of ['UPCOMING', 'ONGOING', 'COMPLETED', 'CANCELLED']) {
      assert.notEqual(metricValue(before, 'catalog_events_count', { status, service: 'catalog' }), undefined, status);
    }
    const venue = await createVenue(svc.api);
    await createEvent(svc.api, venue.venue_id);
    await createEvent(svc.api, venue.venue_id, { status: 'CANCELLED' });
    await svc.api.get('/v1/events/abc');
    const res = await svc.api.get('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const after = res.text;
    assert.equal(metricValue(after, 'catalog_events_count', { status: 'UPCOMING' }), (metricValue(before, 'catalog_events_count', { status: 'UPCOMING' }) ?? 0) + 1);
    assert.equal(metricValue(after, 'catalog_events_count', { status: 'CANCELLED' }), (metricValue(before, 'catalog_events_count', { status: 'CANCELLED' }) ?? 0) + 1);
    assert.ok((metricValue(after, 'http_server_requests_seconds_count', { method: 'GET', route: '/v1/events/:id', status: '400' }) ?? 0) >= 1);
    assert.ok((metricValue(after, 'http_server_requests_seconds_count', { method: 'POST', route: '/v1/events', status: '201' }) ?? 0) >= 2);
    assert.notEqual(metricValue(after, 'process_cpu_seconds_total'), undefined);
    assert.equal(metricValue(after, 'catalog_availability_sync_cycles_total', { outcome: 'full' }), 0, 'sync off without SEATING_URL');
  });

  it('unknown paths are 404 with the error body', async () => {
    const res = await svc.api.get('/v1/concerts');
    assert.equal(res.status, 404);
    assert.equal(res.body.error, 'NOT_FOUND');
    assert.equal(typeof res.body.traceId, 'string');
  });

  it('serves the OpenAPI description at /docs-json, with an example for every DTO field, and the UI at /docs', async () => {
    const json = await svc.api.get('/docs-json');
    assert.equal(json.status, 200);
    const paths = json.body.paths;
    for (const [path, methods] of Object.entries({
      '/v1/venues': ['get', 'post'],
      '/v1/venues/{id}': ['get', 'put', 'delete'],
      '/v1/events': ['get', 'post'],
      '/v1/events/{id}': ['get', 'put', 'delete'],
      '/v1/events/search': ['get'],
    })) {
      for (const method of methods) assert.ok(paths[path]?.[method], `${method} ${path}`);
    }
    const searchParams = paths['/v1/events/search'].get.parameters.map((p: { name: string }) => p.name).sort();
    assert.deepEqual(searchParams, ['city', 'event_type', 'from', 'limit', 'page', 'q', 'sort', 'status', 'to']);
    const schemas = json.body.components.schemas as Record<string, { properties: Record<string, { example?: unknown; $ref?: string; items?: unknown; allOf?: unknown }>; required?: string[] }>;
    for (const name of ['CreateVenueDto', 'UpdateVenueDto', 'VenueResponseDto', 'CreateEventDto', 'UpdateEventDto', 'EventResponseDto', 'FiltersAppliedDto']) {
      assert.ok(schemas[name], name);
      for (const [field, schema] of Object.entries(schemas[name].properties)) {
        assert.notEqual(schema.example, undefined, `${name}.${field} has an example`);
      }
    }
    // total_seats may be left out when a seat_layout gives the seats.
    assert.deepEqual(schemas.CreateEventDto.required?.sort(), ['base_price', 'end_date', 'event_type', 'name', 'start_date', 'venue_id']);
    assert.ok(schemas.CreateEventDto.properties.seat_layout, 'CreateEventDto.seat_layout');
    const ui = await svc.api.get('/docs');
    assert.equal(ui.status, 200);
    assert.match(ui.text, /swagger-ui/);
  });

  it('the schema the migrations build is exactly what the entities describe', async () => {
    const { database } = await import('../src/database.js');
    assert.deepEqual(await schemaDrift(svc.db.url, database.entities), []);
  });

  it('the tables have the documented columns, money as numeric(10,2)', async () => {
    const columns = await svc.sql<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_name IN ('venues', 'events') ORDER BY table_name, ordinal_position`,
    );
    const of = (table: string) => columns.filter((c) => c.table_name === table).map((c) => c.column_name);
    assert.deepEqual(of('venues'), ['venue_id', 'name', 'address', 'city', 'state', 'country', 'postal_code', 'capacity', 'venue_type', 'facilities', 'created_at', 'updated_at', 'external_ref']);
    assert.deepEqual(of('events'), [
      'event_id', 'venue_id', 'name', 'description', 'event_type', 'start_date', 'end_date', 'status', 'total_seats', 'available_seats', 'base_price', 'created_at', 'updated_at', 'external_ref',
    ]);
    const [price] = await svc.sql<{ numeric_precision: number; numeric_scale: number }>(
      `SELECT numeric_precision, numeric_scale FROM information_schema.columns WHERE table_name = 'events' AND column_name = 'base_price'`,
    );
    assert.deepEqual([price.numeric_precision, price.numeric_scale], [10, 2]);
    const [migrations] = await svc.sql<{ n: number }>('SELECT count(*)::int AS n FROM migrations');
    assert.equal(migrations.n, 3);
  });

  it('the database refuses what the API refuses, even if a bug let it through', async () => {
    const venue = await createVenue(svc.api);
    const event = await createEvent(svc.api, venue.venue_id, { total_seats: 10 });
    for (const sql of [
      `UPDATE events SET available_seats = 11 WHERE event_id = ${event.event_id}`,
      `UPDATE events SET available_seats = -1 WHERE event_id = ${event.event_id}`,
      `UPDATE events SET end_date = start_date WHERE event_id = ${event.event_id}`,
      `UPDATE events SET status = 'SOLD_OUT' WHERE event_id = ${event.event_id}`,
      `UPDATE events SET base_price = -1 WHERE event_id = ${event.event_id}`,
      `UPDATE venues SET facilities = '[1]' WHERE venue_id = ${venue.venue_id}`,
      `UPDATE venues SET capacity = 0 WHERE venue_id = ${venue.venue_id}`,
      `DELETE FROM venues WHERE venue_id = ${venue.venue_id}`,
    ]) {
      await assert.rejects(svc.sql(sql), sql);
    }
    assert.equal((await svc.api.get(`/v1/events/${event.event_id}`, { token: ADMIN_TOKEN })).body.available_seats, 10);
  });
});
