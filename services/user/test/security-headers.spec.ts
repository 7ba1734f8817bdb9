import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiResponse, requestFrom } from '@etsr/platform/testing';
import { adminSession, registeredUser } from './factories';
import { UserServiceUnderTest, startUserServiceForTest } from './harness';

/**
 * Security headers (helmet), no-store on token answers and CORS, as the platform sets them up for
 * every service; the user service is where the tokens are. 127.0.0.2 plays a TLS-terminating
 * proxy (TRUST_PROXY names it); the tests' other requests come from 127.0.0.1.
 */
const PROXY = '127.0.0.2';
const SHOP = 'https://shop.example.com';

/** A Content-Security-Policy as a map of directive → sources. */
const csp = (res: ApiResponse) =>
  new Map(
    (res.headers.get('content-security-policy') ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name, sources]),
  );

function assertSecurityHeaders(res: ApiResponse, what: string) {
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', what);
  assert.equal(res.headers.get('x-frame-options'), 'DENY', what);
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer', what);
  assert.deepEqual(csp(res).get('frame-ancestors'), ["'none'"], what);
}

describe('security headers, token caching and CORS', () => {
  let svc: UserServiceUnderTest;
  before(async () => {
    svc = await startUserServiceForTest({ TRUST_PROXY: PROXY, CORS_ORIGINS: `${SHOP},http://localhost:5173` });
  });
  after(() => svc.stop());

  it('a JSON answer carries nosniff, frame denial, Referrer-Policy and a CSP that allows nothing', async () => {
    const res = await svc.api.get('/health');
    assert.equal(res.status, 200, res.text);
    assertSecurityHeaders(res, 'GET /health');
    assert.deepEqual(csp(res).get('default-src'), ["'none'"]);
  });

  it('so do error answers: 404 for an unknown path, 400 for a bad body', async () => {
    const missing = await svc.api.get('/v1/nothing-here');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error, 'NOT_FOUND');
    assertSecurityHeaders(missing, '404');
    const bad = await svc.api.post('/v1/users/login', { raw: '{"username": ' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error, 'MALFORMED_JSON');
    assertSecurityHeaders(bad, '400');
  });

  it('/docs (Swagger UI) gets a CSP that lets its own scripts, styles and document load, and nothing else', async () => {
    const page = await svc.api.get('/docs');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assertSecurityHeaders(page, '/docs');
    const policy = csp(page);
    const allows = (directive: string, source: string) => (policy.get(directive) ?? policy.get('default-src') ?? []).includes(source);
    const pageUrl = new URL('/docs', svc.url);

    // Every script of the page is a file from this origin ('self'); an inline one would need
    // 'unsafe-inline', which the policy does not give.
    const scripts = [...page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length >= 3, 'the Swagger UI bundle, preset and init scripts');
    assert.ok(!allows('script-src', "'unsafe-inline'"));
    const stylesheets = [...page.text.matchAll(/<link\b[^>]*rel=["']?stylesheet[^>]*>/g)].map((m) => /href=["']?([^"' >]+)/.exec(m[0])![1]);
    assert.ok(stylesheets.length >= 1);
    for (const [, attributes, inline] of scripts) {
      const src = /src=["']?([^"' >]+)/.exec(attributes)?.[1];
      assert.ok(src, `inline script: ${inline.slice(0, 60)}`);
      const url = new URL(src, pageUrl);
      assert.equal(url.origin, pageUrl.origin, `${src} is from this origin`);
      assert.ok(allows('script-src', "'self'"));
      const script = await svc.api.get(url.pathname);
      assert.equal(script.status, 200, src);
      assert.match(script.headers.get('content-type') ?? '', /javascript/, src);
    }
    for (const href of stylesheets) {
      const url = new URL(href, pageUrl);
      assert.equal(url.origin, pageUrl.origin);
      assert.ok(allows('style-src', "'self'"));
      const sheet = await svc.api.get(url.pathname);
      assert.equal(sheet.status, 200, href);
      assert.match(sheet.headers.get('content-type') ?? '', /text\/css/, href);
    }
    // The page's own <style> blocks and style attributes.
    assert.match(page.text, /<style>/);
    assert.ok(allows('style-src', "'unsafe-inline'"));
    // swagger-ui-init.js fetches the document from this origin; icons are data: URLs in its CSS.
    assert.ok(allows('connect-src', "'self'"));
    assert.ok(allows('img-src', 'data:'));
    assert.equal((await svc.api.get('/docs-json')).status, 200);
    assert.deepEqual(policy.get('object-src'), ["'none'"]);
  });

  it('Strict-Transport-Security only on requests that came over TLS through the trusted proxy', async () => {
    const overTls = await requestFrom(PROXY, 'GET', `${svc.url}/health`, { headers: { 'x-forwarded-proto': 'https' } });
    assert.match(overTls.headers.get('strict-transport-security') ?? '', /^max-age=31536000; includeSubDomains$/);
    assertSecurityHeaders(overTls, 'behind the proxy');
    const plain = await requestFrom(PROXY, 'GET', `${svc.url}/health`);
    assert.equal(plain.headers.get('strict-transport-security'), null, 'plain HTTP');
    // From a peer that is not the proxy, X-Forwarded-Proto is the client's own word.
    const claimed = await svc.api.get('/health', { headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(claimed.headers.get('strict-transport-security'), null, 'untrusted X-Forwarded-Proto');
  });

  it('answers carrying tokens are not to be stored: login, refresh, an admin-issued password setup token', async () => {
    const user = await registeredUser(svc.api);
    const login = await svc.api.post('/v1/users/login', { body: { username: user.username, password: user.password } });
    assert.equal(login.status, 200, login.text);
    const refresh = await svc.api.post('/v1/users/refresh', { body: { refreshToken: login.body.refreshToken } });
    assert.equal(refresh.status, 200, refresh.text);
    const admin = await adminSession(svc.api);
    const setup = await svc.api.post(`/v1/users/${user.userId}/password-setup`, { token: admin.accessToken });
    assert.equal(setup.status, 201, setup.text);
    for (const [what, res] of Object.entries({ login, refresh, setup })) {
      assert.equal(res.headers.get('cache-control'), 'no-store', what);
      assert.equal(res.headers.get('pragma'), 'no-cache', what);
    }
  });

  it('CORS: a preflight from a listed origin is answered with what it may send; another origin gets no CORS header', async () => {
    const preflight = (origin: string) =>
      fetch(new URL('/v1/users/login', svc.url), {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
    const allowed = await preflight(SHOP);
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), SHOP);
    assert.match(allowed.headers.get('access-control-allow-methods') ?? '', /\bPOST\b/);
    assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /Content-Type/);
    assert.match(allowed.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    assert.match(allowed.headers.get('vary') ?? '', /Origin/);
    assert.equal(allowed.headers.get('access-control-allow-credentials'), null, 'tokens go in headers, not cookies');

    const other = await preflight('https://evil.example.com');
    assert.equal(other.headers.get('access-control-allow-origin'), null);
    assert.equal(other.headers.get('access-control-allow-methods'), null);
    assert.equal(other.status, 404);
    assert.equal(((await other.json()) as { error: string }).error, 'NOT_FOUND');

    // The request itself: the listed origin may read the answer (and Retry-After, the trace id).
    const fromShop = await svc.api.get('/health', { headers: { origin: SHOP } });
    assert.equal(fromShop.headers.get('access-control-allow-origin'), SHOP);
    assert.match(fromShop.headers.get('access-control-expose-headers') ?? '', /Retry-After/);
    const fromElsewhere = await svc.api.get('/health', { headers: { origin: 'https://evil.example.com' } });
    assert.equal(fromElsewhere.headers.get('access-control-allow-origin'), null);
  });
});
