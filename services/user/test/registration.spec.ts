import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { newUser } from './factories';
import { UserServiceUnderTest, startUserServiceForTest } from './harness';

describe('POST /v1/users/register', () => {
  let svc: UserServiceUnderTest;
  before(async () => {
    svc = await startUserServiceForTest();
  });
  after(() => svc.stop());

  it('creates the account and answers as the README walkthrough shows', async () => {
    const body = {
      username: 'john_doe',
      email: 'john@example.com',
      password: 'SecurePass123!',
      firstName: 'John',
      lastName: 'Doe',
      phoneNumber: '+1234567890',
    };
    const res = await svc.api.post('/v1/users/register', { body });
    assert.equal(res.status, 201);
    assert.equal(typeof res.body.userId, 'number');
    assert.deepEqual(
      { ...res.body, userId: 0, createdAt: '', updatedAt: '' },
      { userId: 0, username: 'john_doe', email: 'john@example.com', firstName: 'John', lastName: 'Doe', phoneNumber: '+1234567890', role: 'USER', accountStatus: 'ACTIVE', createdAt: '', updatedAt: '' },
    );
    assert.ok(!Number.isNaN(Date.parse(res.body.createdAt)));
    assert.equal(res.body.password, undefined);
  });

  it('stores only a bcrypt hash of cost 10', async () => {
    const body = newUser();
    assert.equal((await svc.api.post('/v1/users/register', { body })).status, 201);
    const pg = new Client({ connectionString: svc.db.url });
    await pg.connect();
    try {
      const { rows } = await pg.query('SELECT password_hash FROM users WHERE username = $1', [body.username]);
      assert.match(rows[0].password_hash, /^\$2[aby]\$10\$.{53}$/);
      assert.ok(!rows[0].password_hash.includes(body.password));
    } finally {
      await pg.end();
    }
  });

  it('accepts a registration without a phone number', async () => {
    const { phoneNumber: _, ...body } = newUser();
    const res = await svc.api.post('/v1/users/register', { body });
    assert.equal(res.status, 201);
    assert.equal(res.body.phoneNumber, null);
  });

  it('refuses a taken username, also in another case, with 409 USERNAME_TAKEN', async () => {
    const first = newUser();
    assert.equal((await svc.api.post('/v1/users/register', { body: first })).status, 201);
    const again = await svc.api.post('/v1/users/register', { body: newUser({ username: first.username.toUpperCase() }) });
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'USERNAME_TAKEN');
    assert.equal(again.body.statusCode, 409);
  });

  it('refuses a registered e-mail, whatever its case, with 409 EMAIL_TAKEN', async () => {
    const first = newUser();
    assert.equal((await svc.api.post('/v1/users/register', { body: first })).status, 201);
    const again = await svc.api.post('/v1/users/register', { body: newUser({ email: first.email.toUpperCase() }) });
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'EMAIL_TAKEN');
  });

  it('20 concurrent registrations of one username: exactly one 201, the others 409', async () => {
    const username = newUser().username;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => svc.api.post('/v1/users/register', { body: newUser({ username, email: `${username}_${i}@example.com` }) })),
    );
    const statuses = results.map((r) => r.status).sort();
    assert.equal(statuses.filter((s) => s === 201).length, 1, `statuses: ${statuses}`);
    assert.equal(statuses.filter((s) => s === 409).length, 19, `statuses: ${statuses}`);
    const pg = new Client({ connectionString: svc.db.url });
    await pg.connect();
    try {
      const { rows } = await pg.query('SELECT count(*)::int AS n FROM users WHERE lower(username) = lower($1)', [username]);
      assert.equal(rows[0].n, 1);
    } finally {
      await pg.end();
    }
  });

  it('the same registration again is a replay: 200 with the same account, nothing new', async () => {
    const body = newUser();
    const first = await svc.api.post('/v1/users/register', { body });
    const again = await svc.api.post('/v1/users/register', { body });
    assert.equal(first.status, 201);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, first.body);
  });

  it('a replay needs the same password: otherwise 409', async () => {
    const body = newUser();
    await svc.api.post('/v1/users/register', { body });
    const res = await svc.api.post('/v1/users/register', { body: { ...body, password: 'OtherPass456!' } });
    assert.equal(res.status, 409);
    assert.equal(res.body.error, 'USERNAME_TAKEN');
  });

  it('20 concurrent identical registrations: exactly one 201 creates the account, the rest replay it', async () => {
    const body = newUser();
    const results = await Promise.all(Array.from({ length: 20 }, () => svc.api.post('/v1/users/register', { body })));
    assert.equal(results.filter((r) => r.status === 201).length, 1);
    assert.equal(results.filter((r) => r.status === 200).length, 19);
    assert.equal(new Set(results.map((r) => r.body.userId)).size, 1);
  });

  describe('bad input is a 400 with the error body, and writes nothing', () => {
    const valid = () => newUser();
    const cases: [string, unknown][] = [
      ['a missing username', (({ username: _, ...b }) => b)(valid())],
      ['a missing password', (({ password: _, ...b }) => b)(valid())],
      ['a missing firstName', (({ firstName: _, ...b }) => b)(valid())],
      ['a missing lastName', (({ lastName: _, ...b }) => b)(valid())],
      ['a missing email', (({ email: _, ...b }) => b)(valid())],
      ['a username of 2 characters', { ...valid(), username: 'ab' }],
      ['a username of 51 characters', { ...valid(), username: 'a'.repeat(51) }],
      ['a username with a dash', { ...valid(), username: 'john-doe' }],
      ['a username with a space', { ...valid(), username: 'john doe' }],
      ['an SQL-looking username', { ...valid(), username: "x'; DROP TABLE users;--" }],
      ['an invalid email', { ...valid(), email: 'not-an-email' }],
      ['an email over 100 characters', { ...valid(), email: `${'a'.repeat(95)}@example.com` }],
      ['a password of 7 characters', { ...valid(), password: 'Abcde12' }],
      ['a password without a digit', { ...valid(), password: 'OnlyLetters!' }],
      ['a password without a letter', { ...valid(), password: '1234567890' }],
      ['a password over 72 characters', { ...valid(), password: `A1${'x'.repeat(72)}` }],
      ['a password of multi-byte characters over 72 bytes', { ...valid(), password: `A1${'é'.repeat(40)}` }],
      ['an empty firstName', { ...valid(), firstName: '   ' }],
      ['a lastName over 50 characters', { ...valid(), lastName: 'x'.repeat(51) }],
      ['a phone number not in E.164', { ...valid(), phoneNumber: '0123 456' }],
      ['a phone number of 16 digits', { ...valid(), phoneNumber: '+1234567890123456' }],
      ['a number as username', { ...valid(), username: 12345 }],
      ['an object as email', { ...valid(), email: { $ne: '' } }],
      ['an array as password', { ...valid(), password: ['SecurePass123!'] }],
      ['null as firstName', { ...valid(), firstName: null }],
      ['an unknown field', { ...valid(), role: 'ADMIN' }],
      ['another unknown field', { ...valid(), isAdmin: true }],
      ['an array body', [valid()]],
      ['a string body', 'john_doe'],
    ];
    for (const [name, body] of cases) {
      it(`refuses ${name}`, async () => {
        const res = await svc.api.post('/v1/users/register', { body });
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.statusCode, 400);
        assert.equal(typeof res.body.error, 'string');
        assert.equal(typeof res.body.message, 'string');
        assert.equal(typeof res.body.traceId, 'string');
      });
    }

    it('refuses malformed JSON with 400 MALFORMED_JSON', async () => {
      const res = await svc.api.post('/v1/users/register', { raw: '{"username": "john_doe",' });
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'MALFORMED_JSON');
    });

    it('refuses an empty JSON body with 400', async () => {
      const res = await svc.api.post('/v1/users/register', { raw: '' });
      assert.equal(res.status, 400);
    });

    it('refuses a body that is not JSON with 415', async () => {
      const res = await svc.api.post('/v1/users/register', { raw: 'username=john', contentType: 'application/x-www-form-urlencoded' });
      assert.equal(res.status, 415);
      assert.equal(res.body.error, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('refuses a body over the size limit with 413', async () => {
      const res = await svc.api.post('/v1/users/register', { body: { ...valid(), firstName: 'x'.repeat(400_000) } });
      assert.equal(res.status, 413);
      assert.equal(res.body.error, 'PAYLOAD_TOO_LARGE');
    });

    it('names every invalid field', async () => {
      const res = await svc.api.post('/v1/users/register', { body: { username: 'a', email: 'b' } });
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'VALIDATION_FAILED');
      const fields = res.body.details.fields.map((f: { field: string }) => f.field).sort();
      assert.deepEqual(fields, ['email', 'firstName', 'lastName', 'password', 'username']);
    });

    it('stored none of the refused registrations', async () => {
      const pg = new Client({ connectionString: svc.db.url });
      await pg.connect();
      try {
        const { rows } = await pg.query(`SELECT count(*)::int AS n FROM users WHERE username LIKE '%DROP%' OR role = 'ADMIN' AND username <> 'admin'`);
        assert.equal(rows[0].n, 0);
      } finally {
        await pg.end();
      }
    });
  });
});
