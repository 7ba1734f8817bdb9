import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createEvent, createVenue, venueBody } from './factories';
import { ADMIN_TOKEN, CatalogServiceUnderTest, EXPIRED_ADMIN_TOKEN, SERVICE_TOKEN, USER_TOKEN, startCatalogServiceForTest } from './harness';

const MSG = {
  name: 'Madison Square Garden',
  address: '4 Pennsylvania Plaza',
  city: 'New York',
  state: 'NY',
  country: 'USA',
  capacity: 20000,
  venue_type: 'ARENA',
  facilities: { parking: true, wifi: true, food_court: true, accessible: true },
};

describe('venues', () => {
  let svc: CatalogServiceUnderTest;
  before(async () => {
    svc = await startCatalogServiceForTest();
  });
  after(() => svc.stop());

  describe('POST /v1/venues', () => {
    it('creates a venue with the documented fields and answers 201 with it', async () => {
      const res = await svc.api.post('/v1/venues', { token: ADMIN_TOKEN, body: MSG });
      assert.equal(res.status, 201, res.text);
      assert.equal(typeof res.body.venue_id, 'number');
      assert.deepEqual(Object.keys(res.body), [
        'venue_id', 'name', 'address', 'city', 'state', 'country', 'postal_code', 'capacity', 'venue_type', 'facilities', 'created_at', 'updated_at',
      ]);
      assert.deepEqual({ ...res.body, venue_id: 0, created_at: '', updated_at: '' }, { ...MSG, venue_id: 0, postal_code: null, created_at: '', updated_at: '' });
      // The facilities come back as written, keys in the same order.
      assert.deepEqual(Object.keys(res.body.facilities), ['parking', 'wifi', 'food_court', 'accessible']);
      assert.ok(!Number.isNaN(Date.parse(res.body.created_at)));
    });

    it('needs only the required fields: state, postal_code, venue_type and facilities have defaults', async () => {
      const res = await svc.api.post('/v1/venues', {
        token: ADMIN_TOKEN,
        body: { name: 'Wembley Stadium', address: 'Wembley, London', city: 'London', country: 'UK', capacity: 90000 },
      });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.state, null);
      assert.equal(res.body.postal_code, null);
      assert.equal(res.body.venue_type, 'OTHER');
      assert.deepEqual(res.body.facilities, {});
    });

    it('trims names and keeps SQL-looking text as text', async () => {
      const name = "  O'Brien Hall; DROP TABLE venues;--  ";
      const res = await svc.api.post('/v1/venues', { token: ADMIN_TOKEN, body: venueBody({ name }) });
      assert.equal(res.status, 201);
      assert.equal(res.body.name, name.trim());
      assert.equal((await svc.api.get(`/v1/venues/${res.body.venue_id}`)).body.name, name.trim());
    });

    it('is for admins only: anonymous 401, expired token 401, USER 403, service credential 403', async () => {
      const body = venueBody();
      assert.equal((await svc.api.post('/v1/venues', { body })).status, 401);
      assert.equal((await svc.api.post('/v1/venues', { body, token: EXPIRED_ADMIN_TOKEN })).status, 401);
      assert.equal((await svc.api.post('/v1/venues', { body, token: 'not.a.token' })).status, 401);
      const user = await svc.api.post('/v1/venues', { body, token: USER_TOKEN });
      assert.equal(user.status, 403);
      assert.equal(user.body.error, 'FORBIDDEN');
      assert.equal((await svc.api.post('/v1/venues', { body, token: SERVICE_TOKEN })).status, 403);
      const [row] = await svc.sql<{ n: number }>('SELECT count(*)::int AS n FROM venues WHERE name = $1', [body.name]);
      assert.equal(row.n, 0);
    });

    describe('bad input is a 400 with the error body, and stores nothing', () => {
      const without = (field: string) => {
        const body: Record<string, unknown> = venueBody();
        delete body[field];
        return body;
      };
      const facilities51 = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`f${i}`, true]));
      const cases: [string, unknown][] = [
        ['a missing name', without('name')],
        ['a missing address', without('address')],
        ['a missing city', without('city')],
        ['a missing country', without('country')],
        ['a missing capacity', without('capacity')],
        ['an empty name', venueBody({ name: '   ' })],
        ['a name of 201 characters', venueBody({ name: 'x'.repeat(201) })],
        ['a city of 101 characters', venueBody({ city: 'x'.repeat(101) })],
        ['a state of 101 characters', venueBody({ state: 'x'.repeat(101) })],
        ['a country of 101 characters', venueBody({ country: 'x'.repeat(101) })],
        ['a postal code of 21 characters', venueBody({ postal_code: '1'.repeat(21) })],
        ['an address of 501 characters', venueBody({ address: 'x'.repeat(501) })],
        ['capacity 0', venueBody({ capacity: 0 })],
        ['a negative capacity', venueBody({ capacity: -5 })],
        ['a capacity over 1,000,000', venueBody({ capacity: 1_000_001 })],
        ['a huge capacity', venueBody({ capacity: 1e20 })],
        ['a fractional capacity', venueBody({ capacity: 10.5 })],
        ['a capacity as a string', venueBody({ capacity: '20000' })],
        ['an unknown venue_type', venueBody({ venue_type: 'CASTLE' })],
        ['a lower-case venue_type', venueBody({ venue_type: 'arena' })],
        ['null venue_type', venueBody({ venue_type: null })],
        ['facilities as an array', venueBody({ facilities: ['parking'] })],
        ['facilities as a string', venueBody({ facilities: '{"parking":true}' })],
        ['facilities as a number', venueBody({ facilities: 1 })],
        ['facilities null', venueBody({ facilities: null })],
        ['facilities with a nested object', venueBody({ facilities: { parking: { spaces: 10 } } })],
        ['facilities with a number value', venueBody({ facilities: { parking_spaces: 500 } })],
        ['facilities with a null value', venueBody({ facilities: { parking: null } })],
        ['facilities with a long text', venueBody({ facilities: { note: 'x'.repeat(201) } })],
        ['facilities with an empty key', venueBody({ facilities: { '': true } })],
        ['facilities with 51 entries', venueBody({ facilities: facilities51 })],
        ['a name that is a number', venueBody({ name: 42 })],
        ['a city that is an object', venueBody({ city: { $ne: '' } })],
        ['an unknown field', venueBody({ venue_id: 7 })],
        ['another unknown field', venueBody({ events: [] })],
        ['an array body', [venueBody()]],
        ['a string body', 'Madison Square Garden'],
      ];
      for (const [name, body] of cases) {
        it(`refuses ${name}`, async () => {
          const res = await svc.api.post('/v1/venues', { token: ADMIN_TOKEN, body });
          assert.equal(res.status, 400, res.text);
          assert.equal(res.body.statusCode, 400);
          assert.equal(typeof res.body.error, 'string');
          assert.equal(typeof res.body.message, 'string');
          assert.equal(typeof res.body.traceId, 'string');
        });
      }

      it('names every invalid field', async () => {
        const res = await svc.api.post('/v1/venues', { token: ADMIN_TOKEN, body: { name: '', capacity: 'big' } });
        assert.equal(res.body.error, 'VALIDATION_FAILED');
        assert.deepEqual(res.body.details.fields.map((f: { field: string }) => f.field).sort(), ['address', 'capacity', 'city', 'country', 'name']);
      });

      it('refuses malformed JSON (400 MALFORMED_JSON), an empty body (400) and other media types (415)', async () => {
        const malformed = await svc.api.post('/v1/venues', { token: ADMIN_TOKEN, raw: '{"name": "x",' });
        assert.equal(malformed.status, 400);
        assert.equal(malformed.body.error, 'MALFORMED_JSON');
        assert.equal((await svc.api.post('/v1/venues', { token: ADMIN_TOKEN, raw: '' })).status, 400);
        assert.equal((await svc.api.post('/v1/venues', { token: ADMIN_TOKEN, raw: 'name=x', contentType: 'application/x-www-form-urlencoded' })).status, 415);
      });

      it('accepts the largest values', async () => {
        const res = await svc.api.post('/v1/venues', {
          token: ADMIN_TOKEN,
          body: venueBody({ name: 'n'.repeat(200), city: 'c'.repeat(100), capacity: 1_000_000, facilities: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}`, 'x'.repeat(200)])) }),
        });
        assert.equal(res.status, 201, res.text);
      });
    });
  });

  describe('GET /v1/venues and /v1/venues/{id}', () => {
    it('reads a venue without a token', async () => {
      const venue = await createVenue(svc.api);
      const res = await svc.api.get(`/v1/venues/${venue.venue_id}`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, venue);
    });

    it('an unknown id is 404 VENUE_NOT_FOUND', async () => {
      const res = await svc.api.get('/v1/venues/987654321');
      assert.equal(res.status, 404);
      assert.equal(res.body.error, 'VENUE_NOT_FOUND');
    });

    for (const bad of ['abc', '0', '-1', '1.5', '1e3', '99999999999999999999', "1'%20OR%20'1'='1"]) {
      it(`an id that is not an id (${bad}) is 400 INVALID_ID`, async () => {
        for (const method of ['get', 'put', 'delete'] as const) {
          const res = await svc.api[method](`/v1/venues/${bad}`, { token: ADMIN_TOKEN, body: method === 'put' ? { name: 'x' } : undefined });
          assert.equal(res.status, 400, `${method} ${res.text}`);
          assert.equal(res.body.error, 'INVALID_ID');
        }
      });
    }

    it('lists venues as {"venues": [...]} in id order, paginated, with total_count', async () => {
      for (let i = 0; i < 3; i++) await createVenue(svc.api);
      const all = await svc.api.get('/v1/venues?limit=100');
      assert.equal(all.status, 200);
      assert.deepEqual(Object.keys(all.body), ['venues', 'total_count', 'page', 'limit']);
      assert.equal(all.body.total_count, all.body.venues.length);
      const ids = all.body.venues.map((v: { venue_id: number }) => v.venue_id);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
      const page2 = await svc.api.get('/v1/venues?page=2&limit=2');
      assert.deepEqual(page2.body.venues.map((v: { venue_id: number }) => v.venue_id), ids.slice(2, 4));
      assert.equal(page2.body.page, 2);
      assert.equal(page2.body.limit, 2);
      assert.equal(page2.body.total_count, all.body.total_count);
      const beyond = await svc.api.get('/v1/venues?page=1000');
      assert.deepEqual(beyond.body.venues, []);
      assert.equal(beyond.body.total_count, all.body.total_count);
    });

    it('caps the page size at 100 and works with any token, even a garbage one', async () => {
      const res = await svc.api.get('/v1/venues?limit=5000', { token: 'garbage' });
      assert.equal(res.status, 200);
      assert.equal(res.body.limit, 100);
    });

    for (const q of ['page=0', 'page=-1', 'page=abc', 'limit=0', 'limit=x', 'limit=1.5', 'sort=name', 'unknown=1']) {
      it(`refuses ${q} with 400`, async () => {
        const res = await svc.api.get(`/v1/venues?${q}`);
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.statusCode, 400);
      });
    }
  });

  describe('PUT /v1/venues/{id}', () => {
    it('changes only the fields given; state and postal_code can be cleared; facilities are replaced', async () => {
      const venue = await createVenue(svc.api);
      const res = await svc.api.put(`/v1/venues/${venue.venue_id}`, {
        token: ADMIN_TOKEN,
        body: { capacity: 6000, state: null, postal_code: null, facilities: { vip_lounges: true, food: 'level 2' } },
      });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(
        { ...res.body, updated_at: '' },
        { ...venue, capacity: 6000, state: null, postal_code: null, facilities: { vip_lounges: true, food: 'level 2' }, updated_at: '' },
      );
      assert.ok(Date.parse(res.body.updated_at) >= Date.parse(venue.updated_at));
      assert.deepEqual((await svc.api.get(`/v1/venues/${venue.venue_id}`)).body, res.body);
    });

    it('an empty body changes nothing', async () => {
      const venue = await createVenue(svc.api);
      const res = await svc.api.put(`/v1/venues/${venue.venue_id}`, { token: ADMIN_TOKEN, body: {} });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, venue);
    });

    it('refuses nulls for required fields, bad values and unknown fields (400), and changes nothing', async () => {
      const venue = await createVenue(svc.api);
      for (const body of [{ name: null }, { city: '' }, { capacity: 0 }, { capacity: '10' }, { facilities: [] }, { venue_type: 'CASTLE' }, { venue_id: 5 }, { created_at: '2020-01-01T00:00:00Z' }]) {
        const res = await svc.api.put(`/v1/venues/${venue.venue_id}`, { token: ADMIN_TOKEN, body });
        assert.equal(res.status, 400, JSON.stringify(body));
      }
      assert.deepEqual((await svc.api.get(`/v1/venues/${venue.venue_id}`)).body, venue);
    });

    it('an unknown venue is 404; anonymous 401; USER 403', async () => {
      assert.equal((await svc.api.put('/v1/venues/987654321', { token: ADMIN_TOKEN, body: { name: 'x' } })).status, 404);
      const venue = await createVenue(svc.api);
      assert.equal((await svc.api.put(`/v1/venues/${venue.venue_id}`, { body: { name: 'x' } })).status, 401);
      assert.equal((await svc.api.put(`/v1/venues/${venue.venue_id}`, { token: USER_TOKEN, body: { name: 'x' } })).status, 403);
      assert.equal((await svc.api.get(`/v1/venues/${venue.venue_id}`)).body.name, venue.name);
    });
  });

  describe('DELETE /v1/venues/{id}', () => {
    it('deletes a venue without events: 204, then it is gone (404)', async () => {
      const venue = await createVenue(svc.api);
      assert.equal((await svc.api.delete(`/v1/venues/${venue.venue_id}`, { token: ADMIN_TOKEN })).status, 204);
      assert.equal((await svc.api.get(`/v1/venues/${venue.venue_id}`)).status, 404);
      const again = await svc.api.delete(`/v1/venues/${venue.venue_id}`, { token: ADMIN_TOKEN });
      assert.equal(again.status, 404);
      assert.equal(again.body.error, 'VENUE_NOT_FOUND');
    });

    it('a venue with events cannot be deleted: 409 VENUE_HAS_EVENTS, whatever their status; possible once they are gone', async () => {
      const venue = await createVenue(svc.api);
      const event = await createEvent(svc.api, venue.venue_id, { status: 'CANCELLED' });
      const res = await svc.api.delete(`/v1/venues/${venue.venue_id}`, { token: ADMIN_TOKEN });
      assert.equal(res.status, 409);
      assert.equal(res.body.error, 'VENUE_HAS_EVENTS');
      assert.deepEqual(res.body.details, { event_count: 1 });
      assert.equal((await svc.api.get(`/v1/venues/${venue.venue_id}`)).status, 200);
      assert.equal((await svc.api.delete(`/v1/events/${event.event_id}`, { token: ADMIN_TOKEN })).status, 204);
      assert.equal((await svc.api.delete(`/v1/venues/${venue.venue_id}`, { token: ADMIN_TOKEN })).status, 204);
    });

    it('anonymous 401; USER 403; the venue stays', async () => {
      const venue = await createVenue(svc.api);
      assert.equal((await svc.api.delete(`/v1/venues/${venue.venue_id}`)).status, 401);
      assert.equal((await svc.api.delete(`/v1/venues/${venue.venue_id}`, { token: USER_TOKEN })).status, 403);
      assert.equal((await svc.api.get(`/v1/venues/${venue.venue_id}`)).status, 200);
    });

    it('a delete racing an event creation never leaves an event without its venue', async () => {
      for (let i = 0; i < 5; i++) {
        const venue = await createVenue(svc.api);
        const [del, create] = await Promise.all([
          svc.api.delete(`/v1/venues/${venue.venue_id}`, { token: ADMIN_TOKEN }),
          svc.api.post('/v1/events', { token: ADMIN_TOKEN, body: { ...eventFor(venue.venue_id) } }),
        ]);
        // Exactly one of them wins.
        assert.ok((del.status === 204 && create.status === 404) || (del.status === 409 && create.status === 201), `${del.status} ${create.status}`);
      }
      const [orphans] = await svc.sql<{ n: number }>('SELECT count(*)::int AS n FROM events e LEFT JOIN venues v USING (venue_id) WHERE v.venue_id IS NULL');
      assert.equal(orphans.n, 0);
    });
  });
});

function eventFor(venueId: number) {
  return {
    venue_id: venueId,
    name: 'Race',
    event_type: 'SPORTS',
    start_date: '2030-01-01T10:00:00Z',
    end_date: '2030-01-01T12:00:00Z',
    total_seats: 10,
    base_price: 1,
  };
}
