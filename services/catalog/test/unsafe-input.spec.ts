import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_TOKEN, CatalogServiceUnderTest, startCatalogServiceForTest } from './harness';

/** A NUL character reached PostgreSQL (which cannot store it in text) and came back as a 500. */
describe('a NUL character or a body nested 20,000 deep is a 400 on the catalog, never a 500', () => {
  let svc: CatalogServiceUnderTest;
  before(async () => {
    svc = await startCatalogServiceForTest();
  });
  after(() => svc.stop());

  it('search: a NUL in a filter', async () => {
    const res = await svc.api.get('/v1/events/search?city=Oslo%00');
    assert.equal(res.status, 400, res.text);
    assert.match(res.body.message, /^city must not contain a NUL/);
  });

  it('venues: a NUL in the name', async () => {
    const res = await svc.api.post('/v1/venues', {
      token: ADMIN_TOKEN,
      body: { name: 'Hall\u0000', address: '1 Main St', city: 'Oslo', country: 'Norway', capacity: 100, venue_type: 'THEATER' },
    });
    assert.equal(res.status, 400, res.text);
    assert.match(res.body.message, /^name must not contain a NUL/);
  });

  it('a body nested 20,000 levels deep is 400 MALFORMED_JSON', async () => {
    const res = await svc.api.post('/v1/venues', { token: ADMIN_TOKEN, raw: '{"a":' + '['.repeat(20_000) + ']'.repeat(20_000) + '}' });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.error, 'MALFORMED_JSON');
  });
});
