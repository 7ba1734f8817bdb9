import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BaseConfig } from './base-config';
import { ConfigError, loadConfig } from './load-config';

const env = { SERVICE_NAME: 'demo', PORT: '8080', DATABASE_URL: 'postgres://u:p@localhost:5432/demodb' };
const origins = (value?: string) => loadConfig(BaseConfig, value === undefined ? env : { ...env, CORS_ORIGINS: value }).CORS_ORIGINS;

describe('CORS_ORIGINS', () => {
  it('is no origin unless set', () => {
    assert.deepEqual(origins(), []);
    assert.deepEqual(origins(''), []);
    assert.deepEqual(loadConfig(BaseConfig, { ...env, NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(40), SERVICE_SECRET: 's'.repeat(40) }).CORS_ORIGINS, []);
  });

  it('takes a comma list of origins', () => {
    assert.deepEqual(origins('https://shop.example.com, http://localhost:5173'), ['https://shop.example.com', 'http://localhost:5173']);
  });

  it('refuses a wildcard, a path, a trailing slash or a bare host, naming the variable', () => {
    for (const bad of ['*', 'https://shop.example.com/', 'https://shop.example.com/app', 'shop.example.com', 'ftp://shop.example.com', 'https://a.example.com,,https://b.example.com']) {
      assert.throws(() => origins(bad), (e: unknown) => e instanceof ConfigError && /CORS_ORIGINS: CORS_ORIGINS must be a comma list of origins/.test(e.message), bad);
    }
  });
});
