import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { eventually, metricValue, schemaDrift } from '@etsr/platform/testing';
import { adminSession, registeredUser } from './factories';
import { UserServiceUnderTest, startUserServiceForTest } from './harness';

describe('health, metrics, documentation and tracing', () => {
  let svc: UserServiceUnderTest;
  before(async () => {
    svc = await startUserServiceForTest();
  });
  after(() => svc.stop());

  for (const path of ['/health', '/actuator/health']) {
    it(`${path} answers UP with the database check`, async () => {
      const res = await svc.api.get(path);
      assert.equal(res.status, 200);
      assert.equal(res.body.status, 'UP');
      assert.equal(res.body.components.db.status, 'UP');
    });
  }

  it('Prometheus metrics at both paths, with the HTTP duration histogram by route and status', async () => {
    await svc.api.get('/v1/users/abc');
    for (const path of ['/metrics', '/actuator/prometheus']) {
      const res = await svc.api.get(path);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
      const unauthorized = metricValue(res.text, 'http_server_requests_seconds_count', { method: 'GET', route: '/v1/users/:id', status: '401', service: 'user' });
      assert.ok((unauthorized ?? 0) >= 1, 'http_server_requests_seconds_count for the 401');
      for (const name of ['process_cpu_seconds_total', 'user_registrations_total', 'active_user_sessions_count']) {
        assert.notEqual(metricValue(res.text, name), undefined, name);
      }
    }
  });

  it('unknown paths share one metrics label and get the error body', async () => {
    const res = await svc.api.get('/wp-admin/install.php');
    assert.equal(res.status, 404);
    assert.equal(res.body.error, 'NOT_FOUND');
    const metrics = (await svc.api.get('/metrics')).text;
    assert.doesNotMatch(metrics, /wp-admin/);
    assert.ok((metricValue(metrics, 'http_server_requests_seconds_count', { route: 'UNMATCHED', status: '404' }) ?? 0) >= 1);
  });

  it('serves the OpenAPI description with examples at /docs-json and the UI at /docs', async () => {
    const json = await svc.api.get('/docs-json');
    assert.equal(json.status, 200);
    for (const path of ['/v1/users/register', '/v1/users/login', '/v1/users/refresh', '/v1/users/logout', '/v1/users/{id}', '/v1/users', '/v1/users/search', '/v1/users/{id}/block']) {
      assert.ok(json.body.paths[path], `missing ${path}`);
    }
    const register = json.body.components.schemas.RegisterUserDto;
    assert.equal(register.properties.username.example, 'john_doe');
    assert.deepEqual(register.required.sort(), ['email', 'firstName', 'lastName', 'password', 'username']);
    const ui = await svc.api.get('/docs');
    assert.equal(ui.status, 200);
    assert.match(ui.text, /swagger-ui/);
  });

  it('continues the caller\'s W3C trace and says which trace an error belongs to', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await svc.api.get('/v1/users/1', { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    assert.equal(res.headers.get('x-trace-id'), traceId);
    assert.equal(res.body.traceId, traceId);
    const fresh = await svc.api.get('/v1/users/1');
    assert.match(fresh.headers.get('x-trace-id') ?? '', /^[0-9a-f]{32}$/);
    assert.notEqual(fresh.headers.get('x-trace-id'), traceId);
  });

  it('the schema the migrations build is exactly what the entities describe', async () => {
    const { database } = await import('../src/database.js');
    assert.deepEqual(await schemaDrift(svc.db.url, database.entities), []);
  });
});

describe('health while every pooled connection is busy', () => {
  let svc: UserServiceUnderTest;
  before(async () => {
    svc = await startUserServiceForTest({ DB_POOL_SIZE: '2' });
  });
  after(() => svc.stop());

  it('answers UP from its own connection, not after the requests queued for the pool', async () => {
    const admin = await adminSession(svc.api);
    // Each account list waits on this lock, holding one of the pool's 2 connections.
    const locker = new Client({ connectionString: svc.db.url });
    await locker.connect();
    let reads: Promise<{ status: number }>[] = [];
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      reads = Array.from({ length: 4 }, () => svc.api.get('/v1/users?limit=1', { token: admin.accessToken }));
      // Until every connection of the pool waits (read from another session: inside the locker's
      // transaction pg_stat_activity is a snapshot; /metrics itself would wait on the lock).
      await eventually(async () => {
        const watcher = new Client({ connectionString: svc.db.url });
        await watcher.connect();
        try {
          const { rows } = await watcher.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'user-service' AND wait_event_type = 'Lock'`,
            [svc.db.name],
          );
          assert.equal(rows[0].n, 2, `${rows[0].n} of the pool's 2 connections wait on the lock`);
          return true;
        } finally {
          await watcher.end();
        }
      });
      const health = await svc.api.get('/health');
      assert.equal(health.status, 200, health.text);
      assert.equal(health.body.components.db.status, 'UP');
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    // The two that queued may have given up waiting for a connection (5 s): a 503, never a 500.
    for (const r of await Promise.all(reads)) assert.ok([200, 503].includes(r.status), String(r.status));
  });
});

describe('health when the database is gone', () => {
  let svc: UserServiceUnderTest;
  before(async () => {
    svc = await startUserServiceForTest();
  });
  after(() => svc.stop());

  async function admin(sql: string): Promise<void> {
    const url = new URL(svc.db.url);
    url.pathname = '/postgres';
    const c = new Client({ connectionString: url.toString() });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  }

  it('answers 503 DOWN while the database refuses connections, UP again after', async () => {
    const s = await registeredUser(svc.api);
    await admin(`ALTER DATABASE ${svc.db.name} ALLOW_CONNECTIONS false`);
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${svc.db.name}'`);
    try {
      const down = await svc.api.get('/actuator/health');
      assert.equal(down.status, 503);
      assert.equal(down.body.status, 'DOWN');
      assert.equal(down.headers.get('retry-after'), '1');
      // A request that needs the database fails cleanly: a 503 with the error body, not a hang or a 500.
      const me = await svc.api.get('/v1/users/me', { token: s.accessToken });
      assert.equal(me.status, 503, me.text);
      assert.equal(me.body.error, 'DEPENDENCY_UNAVAILABLE');
      assert.equal(me.headers.get('retry-after'), '1');
    } finally {
      await admin(`ALTER DATABASE ${svc.db.name} ALLOW_CONNECTIONS true`);
    }
    const up = await svc.api.get('/health');
    assert.equal(up.status, 200);
    assert.equal((await svc.api.get('/v1/users/me', { token: s.accessToken })).status, 200);
  });
});

describe('a database too slow to answer', () => {
  let svc: UserServiceUnderTest;
  before(async () => {
    svc = await startUserServiceForTest({ DB_STATEMENT_TIMEOUT_MS: '300' });
  });
  after(() => svc.stop());

  it('a statement cut off by the timeout answers 503 TIMEOUT with Retry-After', async () => {
    const s = await registeredUser(svc.api);
    // Another session holds the users table: every query on it waits until statement_timeout ends it.
    const holder = new Client({ connectionString: svc.db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE users IN ACCESS EXCLUSIVE MODE');
      const me = await svc.api.get('/v1/users/me', { token: s.accessToken });
      assert.equal(me.status, 503, me.text);
      assert.equal(me.body.error, 'TIMEOUT');
      assert.equal(me.headers.get('retry-after'), '1');
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    assert.equal((await svc.api.get('/v1/users/me', { token: s.accessToken })).status, 200);
  });
});

describe('production mode: documentation off, metrics where Prometheus looks', () => {
  const production = {
    NODE_ENV: 'production',
    JWT_SECRET: 'j'.repeat(48),
    SERVICE_SECRET: 's'.repeat(48),
    ADMIN_PASSWORD: 'A-real-admin-password-1',
  };

  it('answers /docs and /docs-json 404 unless DOCS_ENABLED, and GET / with what the service is; /metrics stays on the service port', async () => {
    const svc = await startUserServiceForTest(production);
    try {
      for (const path of ['/docs', '/docs-json']) {
        const res = await svc.api.get(path);
        assert.equal(res.status, 404, `${path}: ${res.text}`);
        assert.equal(res.body.error, 'NOT_FOUND');
      }
      // No redirect to a 404: the bare address says which service this is and where its health check is.
      const root = await fetch(`${svc.url}/`, { redirect: 'manual' });
      assert.equal(root.status, 200);
      const about = (await root.json()) as { service: string; health: string; docs: string };
      assert.equal(about.service, 'user');
      assert.equal(about.health, '/health');
      assert.match(about.docs, /DOCS_ENABLED/);
      assert.equal((await svc.api.get(about.health)).status, 200);
      const metrics = await svc.api.get('/actuator/prometheus');
      assert.equal(metrics.status, 200);
      assert.notEqual(metricValue(metrics.text, 'process_cpu_seconds_total'), undefined);
    } finally {
      await svc.stop();
    }
  });

  it('DOCS_ENABLED=true serves /docs in production too, and GET / redirects there', async () => {
    const svc = await startUserServiceForTest({ ...production, DOCS_ENABLED: 'true' });
    try {
      assert.equal((await svc.api.get('/docs')).status, 200);
      const root = await fetch(`${svc.url}/`, { redirect: 'manual' });
      assert.equal(root.status, 302);
      assert.equal(root.headers.get('location'), '/docs');
    } finally {
      await svc.stop();
    }
  });

  it('METRICS_PORT moves /metrics and /actuator/prometheus to an internal listener; the service port answers them 404', async () => {
    const svc = await startUserServiceForTest({ ...production, METRICS_PORT: '0' });
    try {
      assert.ok(svc.app.metricsUrl, 'metrics listener started');
      await svc.api.get('/v1/users/me');
      for (const path of ['/metrics', '/actuator/prometheus']) {
        const internal = await fetch(`${svc.app.metricsUrl}${path}`);
        const text = await internal.text();
        assert.equal(internal.status, 200);
        assert.ok((metricValue(text, 'http_server_requests_seconds_count', { route: '/v1/users/me', status: '401' }) ?? 0) >= 1, 'the service port\'s requests are counted');
        const onServicePort = await svc.api.get(path);
        assert.equal(onServicePort.status, 404);
        assert.equal(onServicePort.body.error, 'NOT_FOUND');
      }
      assert.equal((await fetch(`${svc.app.metricsUrl}/health`)).status, 404);
    } finally {
      await svc.stop();
    }
  });
});
