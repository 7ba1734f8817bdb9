import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_PREPARED_PER_CONNECTION, PreparingClient, statementName } from './preparing-client';

// Against the test server itself: prepared statements belong to the session, nothing is written.
describe('PreparingClient', () => {
  let client: PreparingClient;
  const preparedHere = async (): Promise<string[]> =>
    (await client.query<{ name: string }>(`SELECT name FROM pg_prepared_statements ORDER BY name`)).rows.map((r) => r.name);

  before(async () => {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests with `npm test`');
    client = new PreparingClient({ connectionString: url });
    await client.connect();
  });
  after(() => client.end());

  it('prepares a parameterised statement once and answers every call from it', async () => {
    const sql = 'SELECT $1::int + 1 AS n';
    assert.deepEqual((await client.query(sql, [1])).rows, [{ n: 2 }]);
    assert.deepEqual((await client.query(sql, [41])).rows, [{ n: 42 }]);
    assert.deepEqual(await preparedHere(), [statementName(sql)]);
  });

  it('leaves statements without parameters, or with an array parameter, unnamed', async () => {
    await client.query('SELECT 1 AS one');
    await client.query('SELECT 2 AS two', []);
    assert.deepEqual((await client.query('SELECT $1::int[] AS ids, $2::int AS n', [[1, 2], 3])).rows, [{ ids: [1, 2], n: 3 }]);
    assert.equal((await preparedHere()).length, 1);
  });

  it('keeps a failing statement usable: a server error on one call, the next call works', async () => {
    const sql = 'SELECT 1 / $1::int AS q';
    await assert.rejects(client.query(sql, [0]), /division by zero/);
    assert.deepEqual((await client.query(sql, [1])).rows, [{ q: 1 }]);
  });

  it(`prepares at most ${MAX_PREPARED_PER_CONNECTION} statements per connection, then runs the rest unnamed`, async () => {
    for (let i = 0; i < MAX_PREPARED_PER_CONNECTION + 20; i++) {
      assert.deepEqual((await client.query(`SELECT $1::int AS v, ${i} AS i`, [i])).rows, [{ v: i, i }]);
    }
    assert.equal((await preparedHere()).length, MAX_PREPARED_PER_CONNECTION);
  });

  it('a table that changed shape under a prepared statement (a migration during a rolling upgrade): one call fails, the next ones work', async () => {
    // A connection of its own: the others' statements fill this one's cap.
    const fresh = new PreparingClient({ connectionString: process.env.TEST_DATABASE_URL });
    await fresh.connect();
    try {
      await fresh.query('CREATE TEMP TABLE shape_test (id int)');
      await fresh.query('INSERT INTO shape_test VALUES (1)');
      const sql = 'SELECT * FROM shape_test WHERE id = $1';
      assert.deepEqual((await fresh.query(sql, [1])).rows, [{ id: 1 }]);
      await fresh.query('ALTER TABLE shape_test ADD COLUMN note text');
      await assert.rejects(fresh.query(sql, [1]), /cached plan must not change result type/);
      assert.deepEqual((await fresh.query(sql, [1])).rows, [{ id: 1, note: null }]);
      assert.deepEqual((await fresh.query(sql, [1])).rows, [{ id: 1, note: null }]);
    } finally {
      await fresh.end();
    }
  });

  it('passes a query object through untouched', async () => {
    assert.deepEqual((await client.query({ text: 'SELECT $1::text AS t', values: ['x'] })).rows, [{ t: 'x' }]);
  });
});
