import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN_TOKEN, CatalogServiceUnderTest, startCatalogServiceForTest } from './harness';

describe('paged lists take page and limit; any other parameter, offset included, is a 400', () => {
  let svc: CatalogServiceUnderTest;
  before(async () => {
    svc = await startCatalogServiceForTest();
  });
  after(() => svc.stop());

  // `offset` used to reach a getter-only property of the page DTO: a TypeError, answered 500.
  for (const path of ['/v1/venues?offset=5', '/v1/events?offset=0', '/v1/events/search?offset=10&page=2', '/v1/events/search?city=Oslo&offset=']) {
    it(`GET ${path}`, async () => {
      const res = await svc.api.get(path, { token: ADMIN_TOKEN });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error, 'VALIDATION_FAILED');
      assert.match(res.body.message, /offset should not exist/);
    });
  }
});
