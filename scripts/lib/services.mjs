// The services of the product, in start order, with their default ports, databases and endpoints.
// Ports can be changed with <NAME>_PORT and database URLs set with <NAME>_DATABASE_URL
// (e.g. USER_PORT=9081, CATALOG_DATABASE_URL=postgres://…/catalog).
import fs from 'node:fs';
import path from 'node:path';
import { portFromEnv } from './common.mjs';

// V8 heap limits each service runs with, here (npm start) as in its image (the NODE_OPTIONS of its
// Dockerfile, which Kubernetes inherits). Without a limit V8 lets garbage pile up under load (257-294
// MB RSS per service in a sale). Measured on the notification service (bench/notification.mjs, a
// burst of 500 notices): 222 MB peak without limits, 150 MB with the old space at 128 MB, 133 MB
// with 8 MB semi-spaces too, at the same CPU per notice. An old space of 128 MB is several times
// what a service keeps alive; semi-spaces of 8 MB instead of 16 still absorb a request's short-lived
// garbage. Seating keeps the larger old space its image had.
const HEAP_FLAGS = ['--max-old-space-size=128', '--max-semi-space-size=8'];

const DEFINITIONS = [
  { name: 'user', port: 8081, database: 'userdb', health: '/actuator/health', nodeArgs: HEAP_FLAGS },
  // Seating before catalog: the catalog's first availability pull then finds it up.
  { name: 'seating', port: 8082, database: 'seatingdb', health: '/actuator/health', nodeArgs: ['--max-old-space-size=160', '--max-semi-space-size=8'] },
  { name: 'catalog', port: 8000, database: 'catalogdb', health: '/health', nodeArgs: HEAP_FLAGS },
  { name: 'payment', port: 4004, database: 'paymentsdb', health: '/health', nodeArgs: HEAP_FLAGS },
  { name: 'order', port: 4003, database: 'orderdb', health: '/health', nodeArgs: HEAP_FLAGS },
  { name: 'notification', port: 4005, database: 'notificationdb', health: '/health', nodeArgs: HEAP_FLAGS },
];

// Services on the Spring-style /actuator paths expose Prometheus metrics there too.
const ACTUATOR_SERVICES = new Set(['user', 'seating']);

/** The prefix of a service's environment variables: USER, CATALOG, … */
export function envPrefix(name) {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

function withPaths(definition) {
  return {
    ...definition,
    dir: `services/${definition.name}`,
    entry: `services/${definition.name}/dist/src/main.js`,
    docs: '/docs',
    metrics: ACTUATOR_SERVICES.has(definition.name) ? '/actuator/prometheus' : '/metrics',
  };
}

/**
 * The six services in start order with their default ports: { name, port, database, health, nodeArgs,
 * dir, entry, docs, metrics }. Use resolveServices()/presentServices() for the values in effect.
 */
export const SERVICES = Object.freeze(DEFINITIONS.map((definition) => Object.freeze(withPaths(definition))));

/**
 * Every service with the overrides of `env` applied: port from <NAME>_PORT, and databaseUrl from
 * <NAME>_DATABASE_URL (null when not set). Throws a clear error for an invalid port.
 */
export function resolveServices(env = process.env) {
  return SERVICES.map((service) => {
    const prefix = envPrefix(service.name);
    return {
      ...service,
      port: portFromEnv(env, `${prefix}_PORT`, service.port),
      portVariable: `${prefix}_PORT`,
      databaseUrl: env[`${prefix}_DATABASE_URL`] || null,
    };
  });
}

/** The services whose folder exists (services/<name>/package.json), in start order, overrides applied. */
export function presentServices(rootDir, env = process.env) {
  return resolveServices(env).filter((service) => fs.existsSync(path.join(rootDir, service.dir, 'package.json')));
}

/** http://127.0.0.1:<port> of a service, as other services and the launcher reach it. */
export function serviceUrl(service) {
  return `http://127.0.0.1:${service.port}`;
}
