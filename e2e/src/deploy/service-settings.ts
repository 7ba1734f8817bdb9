import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';
import { join } from 'node:path';
import { ROOT } from '../root';

/** One environment variable a service reads at start, as its config class declares it. */
export interface ServiceSetting {
  name: string;
  /** No default and not optional: the service does not start without it. */
  required: boolean;
  /** A secret: refused in production when it is a development default; must come from a Secret. */
  secret: boolean;
  /** An address of another service or system (…_URL): leaving it unset disables a feature. */
  url: boolean;
  /** The default the class gives, when it has one. */
  defaultValue?: unknown;
}

/** The config class of each service: services/<name>/src/config.ts, compiled. */
const CONFIG_CLASSES: Record<string, string> = {
  user: 'UserConfig',
  seating: 'SeatingConfig',
  catalog: 'CatalogConfig',
  payment: 'PaymentConfig',
  order: 'OrderConfig',
  notification: 'NotificationConfig',
};

export const SERVICE_NAMES = Object.keys(CONFIG_CLASSES);

/** Settings that main.ts supplies itself (each service passes its own name and default port). */
const SUPPLIED_BY_MAIN = new Set(['SERVICE_NAME']);

const SECRET_NAME = /SECRET|PASSWORD|SIGNING_KEY|PRIVATE_KEY|API_KEY/;

/**
 * Every environment variable `loadConfig` reads for a service, read from the validation metadata of
 * its compiled config class, so a variable added to a config class is checked in compose and k8s
 * without anyone updating a list.
 */
export function serviceSettings(service: string): ServiceSetting[] {
  const className = CONFIG_CLASSES[service];
  if (!className) throw new Error(`Unknown service ${service}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(join(ROOT, 'services', service, 'dist', 'src', 'config.js')) as Record<string, new () => object>;
  const cls = module[className];
  if (!cls) throw new Error(`services/${service}/src/config.ts does not export ${className}`);
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  const names = [...new Set(metadatas.map((m) => m.propertyName))].filter((n) => !SUPPLIED_BY_MAIN.has(n));
  const optional = new Set(metadatas.filter((m) => m.type === 'conditionalValidation').map((m) => m.propertyName));
  const instance = new cls() as Record<string, unknown>;
  return names.sort().map((name) => {
    const defaultValue = instance[name];
    return {
      name,
      required: defaultValue === undefined && !optional.has(name) && name !== 'PORT',
      secret: SECRET_NAME.test(name) || name === 'DATABASE_URL',
      url: /_URL$/.test(name),
      ...(defaultValue === undefined ? {} : { defaultValue }),
    };
  });
}
