import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { ValidationError, getMetadataStorage, validateSync } from 'class-validator';
import { BaseConfig, DEV_DEFAULT_SECRETS } from './base-config';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** What the deployment templates' placeholder secrets contain; refused in production. */
export const PLACEHOLDER_MARK = 'CHANGE_ME';

/** Names of settings whose value must never be logged or echoed in an error. */
const SECRET_PATTERN = /SECRET|PASSWORD|KEY|TOKEN|DATABASE_URL/;

/**
 * Builds a typed, validated config from the environment. Unknown variables are ignored (the
 * environment holds many); a missing or invalid one throws a ConfigError naming each variable.
 * `devDefaults` lists a service's further development-only secrets, refused in production.
 */
export function loadConfig<T extends BaseConfig>(
  cls: new () => T,
  env: NodeJS.ProcessEnv = process.env,
  devDefaults: Record<string, string> = {},
): T {
  const plain: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) plain[key] = value;
  const config = plainToInstance(cls, plain, { exposeDefaultValues: true });
  const problems = flatten(validateSync(config, { skipMissingProperties: false, forbidUnknownValues: false }), plain);
  if (config.NODE_ENV === 'production') {
    // Deployment templates (k8s/base/secrets.env, .env.example) ship placeholders containing CHANGE_ME:
    // a forgotten one must stop the service, not become its key.
    for (const [name, value] of Object.entries(config as unknown as Record<string, unknown>)) {
      if (typeof value === 'string' && value.includes(PLACEHOLDER_MARK)) {
        problems.push(`${name} is a placeholder (contains ${PLACEHOLDER_MARK}); generate real secrets (README, "Deploy")`);
      }
    }
    const defaults: Record<string, string> = { ...DEV_DEFAULT_SECRETS, ...devDefaults };
    for (const [name, devValue] of Object.entries(defaults)) {
      const value = (config as unknown as Record<string, unknown>)[name];
      if (value === devValue) problems.push(`${name} is the development default; set a real secret in production`);
      else if (typeof value === 'string' && /SECRET/.test(name) && value.length < 32) {
        problems.push(`${name} must be at least 32 characters in production`);
      }
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return pickDeclared(cls, config);
}

/** Keeps only the declared settings: the instance must not carry the whole environment around. */
function pickDeclared<T extends object>(cls: new () => T, config: T): T {
  const declared = new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(cls, '', true, false)
      .map((m) => m.propertyName),
  );
  for (const key of Object.keys(config)) if (!declared.has(key)) delete (config as Record<string, unknown>)[key];
  return config;
}

/** One line per variable, quoting what the environment held (not the converted value). */
function flatten(errors: ValidationError[], raw: Record<string, unknown>): string[] {
  return errors.flatMap((e) => {
    const value = raw[e.property];
    const got =
      value === undefined ? 'not set' : SECRET_PATTERN.test(e.property) && !hasCredentials(value) ? 'hidden' : JSON.stringify(maskCredentials(value));
    const reasons = Object.values(e.constraints ?? {}).join('; ');
    return [`${e.property}: ${reasons} (got ${got})`];
  });
}

/** Config as it may be logged: secret settings hidden, and the password of any URL (DATABASE_URL, SMTP_URL, …) masked. */
export function describeConfig(config: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    out[key] = hasCredentials(value) ? maskCredentials(value) : SECRET_PATTERN.test(key) ? '***' : value;
  }
  return out;
}

/** A URL with a user or password in it (scheme://user:password@host/…). */
function hasCredentials(value: unknown): value is string {
  return typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]+@/i.test(value);
}

function maskCredentials(value: unknown): unknown {
  return hasCredentials(value) ? maskUrl(value) : value;
}

export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '***';
  }
}
