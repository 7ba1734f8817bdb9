import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from 'class-transformer';
import { IsInt, Min } from 'class-validator';
import { BaseConfig } from './base-config';
import { ConfigError, describeConfig, loadConfig } from './load-config';

class DemoConfig extends BaseConfig {
  @Type(() => Number)
  @IsInt()
  @Min(1)
  WIDGETS = 3;
}

const env = { SERVICE_NAME: 'demo', PORT: '8080', DATABASE_URL: 'postgres://u:p@localhost:5432/demodb' };

describe('loadConfig', () => {
  it('builds a typed config with defaults and converted numbers', () => {
    const config = loadConfig(DemoConfig, { ...env, WIDGETS: '7', TRUST_PROXY: 'true' });
    assert.equal(config.PORT, 8080);
    assert.equal(config.WIDGETS, 7);
    assert.equal(config.DB_POOL_SIZE, 10);
    assert.equal(config.TRUST_PROXY, true);
    assert.equal(config.NODE_ENV, 'development');
  });

  it('keeps only declared settings, not the whole environment', () => {
    const config = loadConfig(DemoConfig, { ...env, HOME: '/root', AWS_SECRET: 'x' }) as unknown as Record<string, unknown>;
    assert.equal(config.HOME, undefined);
    assert.equal(config.AWS_SECRET, undefined);
  });

  it('names every missing or invalid variable', () => {
    assert.throws(
      () => loadConfig(DemoConfig, { SERVICE_NAME: 'demo', PORT: 'eighty', WIDGETS: '0' }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        const text = e.message;
        assert.match(text, /PORT: .*got "eighty"/);
        assert.match(text, /DATABASE_URL: .*not set/);
        assert.match(text, /WIDGETS: /);
        return true;
      },
    );
  });

  it('does not echo secret values in its errors', () => {
    assert.throws(
      () => loadConfig(DemoConfig, { ...env, JWT_SECRET: 'short' }),
      (e: unknown) => e instanceof ConfigError && /JWT_SECRET/.test(e.message) && !/short/.test(e.message),
    );
  });

  it('refuses development default secrets in production', () => {
    assert.throws(() => loadConfig(DemoConfig, { ...env, NODE_ENV: 'production' }), /JWT_SECRET is the development default[\s\S]*SERVICE_SECRET is the development default/);
  });

  it('refuses placeholder values of the deployment templates in production, naming the setting but not the value', () => {
    const strong = 'x'.repeat(40);
    const placeholder = 'CHANGE_ME-run-node-scripts-k8s-secrets-mjs-0000';
    assert.throws(
      () => loadConfig(DemoConfig, { ...env, NODE_ENV: 'production', JWT_SECRET: placeholder, SERVICE_SECRET: strong }),
      (e: Error) => /JWT_SECRET is a placeholder/.test(e.message) && !e.message.includes(placeholder),
    );
    // A development run may keep them (npm start, docker compose on a laptop).
    assert.equal(loadConfig(DemoConfig, { ...env, JWT_SECRET: placeholder }).JWT_SECRET, placeholder);
  });

  it('refuses short secrets and extra development defaults in production', () => {
    const strong = 'x'.repeat(40);
    assert.throws(
      () => loadConfig(DemoConfig, { ...env, NODE_ENV: 'production', JWT_SECRET: 'y'.repeat(20), SERVICE_SECRET: strong }),
      /JWT_SECRET must be at least 32 characters/,
    );
    assert.throws(
      () => loadConfig(DemoConfig, { ...env, NODE_ENV: 'production', JWT_SECRET: strong, SERVICE_SECRET: `${strong}z`, ADMIN_PASSWORD: 'Admin123!' }, { ADMIN_PASSWORD: 'Admin123!' }),
      /ADMIN_PASSWORD is the development default/,
    );
    const ok = loadConfig(DemoConfig, { ...env, NODE_ENV: 'production', JWT_SECRET: strong, SERVICE_SECRET: `${strong}z` });
    assert.equal(ok.NODE_ENV, 'production');
  });

  it('masks secrets and database passwords when described for a log', () => {
    const described = describeConfig(loadConfig(DemoConfig, env));
    assert.equal(described.JWT_SECRET, '***');
    assert.equal(described.DATABASE_URL, 'postgres://u:***@localhost:5432/demodb');
  });

  it('masks the password of any URL setting, in a description and in an error', () => {
    assert.equal(describeConfig({ SMTP_URL: 'smtp://mailer:hunter22@mail.example.com:587' }).SMTP_URL, 'smtp://mailer:***@mail.example.com:587');
    assert.equal(describeConfig({ SEATING_URL: 'http://seating:8082' }).SEATING_URL, 'http://seating:8082');
    assert.throws(
      () => loadConfig(DemoConfig, { ...env, DATABASE_URL: 'mysql://u:hunter22@db/x' }),
      (e: unknown) => e instanceof ConfigError && /DATABASE_URL/.test(e.message) && !/hunter22/.test(e.message),
    );
  });
});
