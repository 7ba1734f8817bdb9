import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BaseConfig } from './base-config';
import { ConfigError, loadConfig } from './load-config';

const env = { SERVICE_NAME: 'demo', PORT: '8080', DATABASE_URL: 'postgres://u:p@localhost:5432/demodb' };
const production = { ...env, NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(40), SERVICE_SECRET: 's'.repeat(40) };
const trustProxy = (value: string | undefined, base: Record<string, string> = env) => loadConfig(BaseConfig, value === undefined ? base : { ...base, TRUST_PROXY: value }).TRUST_PROXY;

describe('TRUST_PROXY', () => {
  it('trusts nobody unless told: unset, empty and false', () => {
    assert.equal(trustProxy(undefined), false);
    assert.equal(trustProxy(''), false);
    assert.equal(trustProxy('false'), false);
    assert.equal(trustProxy(undefined, production), false);
  });

  it('takes a hop count', () => {
    assert.equal(trustProxy('1'), 1);
    assert.equal(trustProxy('2', production), 2);
  });

  it('takes a comma list of addresses, CIDRs and proxy-addr names', () => {
    assert.deepEqual(trustProxy('10.0.0.0/8, 192.168.1.10,fd00::/8'), ['10.0.0.0/8', '192.168.1.10', 'fd00::/8']);
    assert.deepEqual(trustProxy('loopback', production), ['loopback']);
  });

  it('refuses what Fastify could not compile, naming the variable and the forms it takes', () => {
    for (const bad of ['10.0.0.0/99', 'ingress.example.com', '10.0.0.1,,10.0.0.2', '-1', 'maybe']) {
      assert.throws(
        () => trustProxy(bad),
        (e: unknown) => e instanceof ConfigError && /TRUST_PROXY: TRUST_PROXY must be false, a hop count .*comma list of proxy addresses or CIDRs/.test(e.message),
        bad,
      );
    }
  });

  it('trusts every peer (true) in development, and refuses it in production saying what to set instead', () => {
    assert.equal(trustProxy('true'), true);
    assert.throws(
      () => trustProxy('true', production),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /TRUST_PROXY=true believes X-Forwarded-For from any peer/);
        assert.match(e.message, /TRUST_PROXY=10\.0\.0\.0\/8\), their hop count \(TRUST_PROXY=1\), or false when nothing is in front/);
        return true;
      },
    );
  });
});
