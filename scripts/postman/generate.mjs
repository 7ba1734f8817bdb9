#!/usr/bin/env node
// Regenerates the per-service folders of postman/etsr.postman_collection.json from the OpenAPI
// documents of the running services (GET <service>/docs-json), keeping the hand-written folders
// (the "Booking flow") as they are.
//
//   npm start                          # in one terminal: every service, demo data loaded
//   node scripts/postman/generate.mjs  # in another
//
// The services' addresses are the base_url_* values of postman/etsr.postman_environment.json
// (localhost on the contract ports); ETSR_<SERVICE>_URL (e.g. ETSR_USER_URL) overrides one.
//
// Plain code, no converter library: every public operation (not /internal/..., not metrics) becomes
// one request named by its summary, with its path parameters as Postman path variables, its query
// and header parameters (optional ones present but disabled), an example body built from the
// schema's examples, and `Bearer {{jwt_token}}` auth ({{admin_token}} when the summary says
// "(admin)"; none when the operation declares no security). OVERRIDES below adds what a schema
// cannot say: demo credentials, bodies that choose one of two alternatives, and test scripts that
// keep the ids an answer returns in the environment for the next request.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const COLLECTION_FILE = path.join(ROOT, 'postman/etsr.postman_collection.json');
export const ENVIRONMENT_FILE = path.join(ROOT, 'postman/etsr.postman_environment.json');
const SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';

/** The services in folder order, with the environment variable holding each one's address. */
export const SERVICES = [
  { name: 'user', folder: 'User Service', variable: 'base_url_user' },
  { name: 'catalog', folder: 'Catalog Service', variable: 'base_url_catalog' },
  { name: 'seating', folder: 'Seating Service', variable: 'base_url_seating' },
  { name: 'payment', folder: 'Payment Service', variable: 'base_url_payment' },
  { name: 'order', folder: 'Order Service', variable: 'base_url_order' },
  { name: 'notification', folder: 'Notification Service', variable: 'base_url_notification' },
];
export const HEALTH_FOLDER = 'Health Checks';
/** Folders this script writes; every other folder of the collection is hand-written and kept. */
export const GENERATED_FOLDERS = [...SERVICES.map((s) => s.folder), HEALTH_FOLDER];

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Service-only routes and metrics are not for Postman users. */
export function isPublicPath(p) {
  return !p.startsWith('/internal/') && !/(^|\/)(metrics|prometheus)$/.test(p);
}
const isHealthPath = (p) => p === '/health' || p.startsWith('/actuator/health');

/** Example values that are the environment's: by field name and the schema's type. */
const VARIABLES = [
  { names: ['event_id', 'eventId'], type: 'number', variable: 'event_id' },
  { names: ['user_id', 'userId'], type: 'number', variable: 'user_id' },
  { names: ['reservation_id', 'reservationId'], type: 'string', variable: 'reservation_id' },
  { names: ['merchant_order_id', 'orderId', 'order_id'], type: 'string', variable: 'order_id' },
  { names: ['payment_id'], type: 'string', variable: 'payment_id' },
];
function variableFor(name, schema) {
  const type = schema?.type === 'integer' ? 'number' : schema?.type;
  return VARIABLES.find((v) => v.names.includes(name) && v.type === type)?.variable;
}

/** Path parameters by the path they are in (the first that matches wins). */
const PATH_VARIABLES = [
  [/^\/v1\/users\/\{id\}/, '{{user_id}}'],
  [/^\/v1\/events\/\{id\}/, '{{event_id}}'],
  [/^\/v1\/seats\/reservation\/\{id\}/, '{{reservation_id}}'],
  [/^\/v1\/orders\/\{id\}/, '{{order_id}}'],
  [/^\/v1\/payments\/\{id\}/, '{{payment_id}}'],
  [/^\/v1\/tickets\/\{code\}/, '{{ticket_code}}'],
];

const js = (...lines) => lines;
const HEADER_VALUES = { 'Idempotency-Key': '{{$guid}}' };

/**
 * What a schema cannot say, by "METHOD /path": a better body, test scripts keeping ids for the
 * next request, extra requests for the same operation (variants).
 */
const OVERRIDES = {
  'POST /v1/users/login': {
    body: { username: '{{buyer_username}}', password: '{{buyer_password}}' },
    test: js(
      "pm.test('200 with an access token', () => pm.response.to.have.status(200));",
      'const body = pm.response.json();',
      "pm.environment.set('jwt_token', body.accessToken);",
      "pm.environment.set('user_id', String(body.user.userId));",
      "if (body.refreshToken) pm.environment.set('refresh_token', body.refreshToken);",
    ),
    variants: [
      {
        name: 'Log in as the administrator (keeps admin_token)',
        body: { username: '{{admin_username}}', password: '{{admin_password}}' },
        test: js(
          "pm.test('200 with an access token', () => pm.response.to.have.status(200));",
          "pm.environment.set('admin_token', pm.response.json().accessToken);",
        ),
      },
    ],
  },
  // Not the example's password change: sent as it is, it would change the demo buyer's password.
  'PUT /v1/users/{id}': { body: { firstName: 'Alice', lastName: 'Johnson', phoneNumber: '+1234567890' } },
  'POST /v1/users/refresh': { body: { refreshToken: '{{refresh_token}}' } },
  'POST /v1/users/logout': { body: { refreshToken: '{{refresh_token}}' } },
  'POST /v1/seats/reserve': {
    body: { eventId: '{{event_id}}#', seatIds: [101, 102, 103] },
    test: js("if (pm.response.code === 201) pm.environment.set('reservation_id', pm.response.json().reservationId);"),
    variants: [
      {
        name: 'Best available: hold the best adjacent seats in one row',
        body: { eventId: '{{event_id}}#', quantity: 2 },
        test: js("if (pm.response.code === 201) pm.environment.set('reservation_id', pm.response.json().reservationId);"),
      },
    ],
  },
  'POST /v1/orders': {
    body: { user_id: '{{user_id}}#', event_id: '{{event_id}}#', reservation_id: '{{reservation_id}}' },
    test: js(
      'if (pm.response.code === 201) {',
      '  const order = pm.response.json();',
      "  pm.environment.set('order_id', order.orderId);",
      "  pm.environment.set('order_total_cents', String(order.totalCents));",
      '}',
    ),
  },
  'POST /v1/charge': {
    body: { merchant_order_id: '{{order_id}}', amount_cents: '{{order_total_cents}}#', currency: 'INR', payment_method: 'UPI' },
    test: js("if (pm.response.code === 201) pm.environment.set('payment_id', pm.response.json().payment_id);"),
  },
  'POST /v1/payments/charge': {
    body: { merchant_order_id: '{{order_id}}', amount_cents: '{{order_total_cents}}#', currency: 'INR', payment_method: 'UPI' },
    test: js("if (pm.response.code === 201) pm.environment.set('payment_id', pm.response.json().payment_id);"),
  },
  'GET /v1/orders/{id}/tickets': {
    test: js(
      'const tickets = pm.response.code === 200 ? pm.response.json().tickets : [];',
      "if (tickets.length) pm.environment.set('ticket_code', tickets[0].ticketCode);",
    ),
  },
};

/** The OpenAPI document of each service, fetched from the running services. */
export async function fetchDocuments(baseUrls) {
  const documents = {};
  for (const service of SERVICES) {
    const url = `${baseUrls[service.name].replace(/\/$/, '')}/docs-json`;
    const res = await fetch(url).catch((e) => {
      throw new Error(`${url}: ${e.cause?.message ?? e.message}. Is the stack running (npm start)?`);
    });
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    documents[service.name] = await res.json();
  }
  return documents;
}

/** The public operations of one document: { method, path, operation }. */
export function publicOperations(document) {
  const out = [];
  for (const [p, item] of Object.entries(document.paths ?? {})) {
    if (!isPublicPath(p)) continue;
    for (const method of METHODS) if (item[method]) out.push({ method: method.toUpperCase(), path: p, operation: item[method], shared: item.parameters ?? [] });
  }
  return out;
}

function resolve(document, schema, seen = new Set()) {
  if (!schema?.$ref) return schema;
  if (seen.has(schema.$ref)) return {};
  seen.add(schema.$ref);
  const target = schema.$ref.replace(/^#\//, '').split('/').reduce((node, key) => node?.[key], document);
  return resolve(document, target, seen);
}

/** An example value for a schema: its example, else its default, first enum value, or a made-up one. */
export function exampleOf(document, schemaOrRef, depth = 0) {
  const schema = resolve(document, schemaOrRef);
  if (!schema || depth > 6) return null;
  if (schema.example !== undefined) return schema.example;
  if (schema.examples && Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s) => exampleOf(document, s, depth + 1)));
  if (schema.oneOf || schema.anyOf) return exampleOf(document, (schema.oneOf ?? schema.anyOf)[0], depth + 1);
  if (schema.type === 'array') return [exampleOf(document, schema.items, depth + 1)];
  if (schema.type === 'object' || schema.properties) {
    const out = {};
    const properties = schema.properties ?? {};
    for (const [name, property] of Object.entries(properties)) {
      const resolved = resolve(document, property);
      // Another spelling of a field already in the body (e.g. reservationId of reservation_id).
      const alias = /spelling of `?(\w+)`?/.exec(resolved?.description ?? '')?.[1];
      if (alias && alias in properties) continue;
      const variable = variableFor(name, resolved);
      out[name] = variable ? `{{${variable}}}${resolved.type === 'string' ? '' : '#'}` : exampleOf(document, property, depth + 1);
    }
    return out;
  }
  if (schema.type === 'number' || schema.type === 'integer') return schema.minimum ?? 1;
  if (schema.type === 'boolean') return true;
  if (schema.format === 'date-time') return '2025-12-01T19:00:00Z';
  if (schema.format === 'email') return 'john@example.com';
  return 'string';
}

/** JSON text of a body; a string "{{name}}#" becomes the bare {{name}} (a number Postman fills in). */
export function bodyText(value) {
  return JSON.stringify(value, null, 2).replace(/"(\{\{[\w$]+\}\})#"/g, '$1');
}

function parameterValue(document, parameter, p) {
  const schema = resolve(document, parameter.schema);
  if (parameter.in === 'path') {
    const known = PATH_VARIABLES.find(([re]) => re.test(p));
    if (known) return known[1];
  }
  if (parameter.in === 'header' && HEADER_VALUES[parameter.name]) return HEADER_VALUES[parameter.name];
  const variable = variableFor(parameter.name, schema);
  if (variable) return `{{${variable}}}`;
  // A header without an example (If-None-Match, say) is left for the user to fill in.
  const known = parameter.example ?? schema?.example ?? schema?.default ?? schema?.enum?.[0];
  const value = known ?? (parameter.in === 'header' ? '' : exampleOf(document, schema));
  return value === null || value === undefined ? '' : String(value);
}

/** Auth of an operation: none when it declares no security, the admin's token for "(admin)" routes. */
export function authOf(operation) {
  const secured = Array.isArray(operation.security) && operation.security.length > 0;
  if (!secured) return { type: 'noauth' };
  const token = /\(admin\)/i.test(operation.summary ?? '') ? '{{admin_token}}' : '{{jwt_token}}';
  return { type: 'bearer', bearer: [{ key: 'token', value: token, type: 'string' }] };
}

function describe(operation, auth) {
  const lines = [];
  if (operation.description) lines.push(operation.description, '');
  const token = auth.type === 'noauth' ? 'none (public)' : `Bearer ${auth.bearer[0].value}`;
  lines.push(`Auth: ${token}.`);
  const responses = Object.entries(operation.responses ?? {});
  if (responses.length) {
    lines.push('', 'Responses:');
    for (const [code, response] of responses) lines.push(`- ${code}${response.description ? `: ${response.description}` : ''}`);
  }
  return lines.join('\n');
}

function script(type, exec) {
  return { listen: type, script: { type: 'text/javascript', exec } };
}

/** One Postman request (v2.1 item) for an operation. */
export function requestItem(document, service, { method, path: p, operation, shared }, name, override = {}) {
  const parameters = [...shared, ...(operation.parameters ?? [])].map((x) => resolve(document, x));
  const auth = authOf(operation);
  const segments = p.split('/').filter(Boolean).map((s) => s.replace(/^\{(\w+)\}$/, ':$1'));
  // Optional query parameters are there but unticked, except those the environment fills in
  // (orderId={{order_id}}: the notifications route wants an order or a user).
  const query = parameters
    .filter((x) => x.in === 'query')
    .map((x) => ({ key: x.name, value: parameterValue(document, x, p), description: x.description }))
    .map(({ description, ...q }) => ({ ...q, ...(parameters.find((x) => x.name === q.key)?.required || /^\{\{\w+\}\}$/.test(q.value) ? {} : { disabled: true }), ...(description ? { description } : {}) }));
  const variable = parameters
    .filter((x) => x.in === 'path')
    .map((x) => ({ key: x.name, value: parameterValue(document, x, p), ...(x.description ? { description: x.description } : {}) }));
  const header = parameters
    .filter((x) => x.in === 'header' && x.name.toLowerCase() !== 'authorization')
    .map((x) => ({ key: x.name, value: parameterValue(document, x, p), ...(x.required ? {} : { disabled: true }), ...(x.description ? { description: x.description } : {}) }));
  const content = operation.requestBody?.content?.['application/json'];
  let body;
  if (content || override.body) {
    const example = override.body ?? content.example ?? Object.values(content.examples ?? {})[0]?.value ?? exampleOf(document, content.schema);
    header.unshift({ key: 'Content-Type', value: 'application/json' });
    body = { mode: 'raw', raw: bodyText(example), options: { raw: { language: 'json' } } };
  }
  const rawQuery = query.filter((q) => !q.disabled).map((q) => `${q.key}=${q.value}`).join('&');
  const url = {
    raw: `{{${service.variable}}}/${segments.join('/')}${rawQuery ? `?${rawQuery}` : ''}`,
    host: [`{{${service.variable}}}`],
    path: segments,
    ...(query.length ? { query } : {}),
    ...(variable.length ? { variable } : {}),
  };
  const item = {
    name,
    request: { auth, method, header, ...(body ? { body } : {}), url, description: describe(operation, auth) },
    response: [],
  };
  if (override.test) item.event = [script('test', override.test)];
  return item;
}

const titleOf = (name) => name[0].toUpperCase() + name.slice(1);

/** The generated folders, from the services' documents. */
export function generatedFolders(documents) {
  const folders = [];
  const health = [];
  for (const service of SERVICES) {
    const document = documents[service.name];
    const items = [];
    const operations = publicOperations(document);
    const summaries = operations.map((o) => o.operation.summary);
    for (const op of operations) {
      if (isHealthPath(op.path)) {
        health.push(requestItem(document, service, op, `${titleOf(service.name)}: ${op.method} ${op.path}`));
        continue;
      }
      const summary = op.operation.summary ?? `${op.method} ${op.path}`;
      // Two routes with one summary (an alias, like /v1/payments/charge of /v1/charge): say which.
      const name = summaries.filter((s) => s === op.operation.summary).length > 1 ? `${summary} (${op.method} ${op.path})` : summary;
      const override = OVERRIDES[`${op.method} ${op.path}`] ?? {};
      items.push(requestItem(document, service, op, name, override));
      for (const variant of override.variants ?? []) items.push(requestItem(document, service, op, variant.name, variant));
    }
    folders.push({ name: service.folder, description: `${document.info?.title ?? service.name}: ${document.info?.description ?? ''}\nGenerated from {{${service.variable}}}/docs-json by scripts/postman/generate.mjs.`, item: items });
  }
  folders.push({ name: HEALTH_FOLDER, description: 'Liveness and readiness of every service (no token).', item: health });
  return folders;
}

export const DESCRIPTION = [
  'Regenerate: run `npm start` in one terminal, then `node scripts/postman/generate.mjs` in another. The folders of the six services and "Health Checks" are generated from the running services\' OpenAPI documents (/docs-json); the "Booking flow" folder is written by hand and kept as it is.',
  '',
  'Event ticketing and seat reservation platform: user, catalog, seating, order, payment and notification services. Import this collection and postman/etsr.postman_environment.json, pick the "etsr local" environment, then run "Booking flow" (log in as the demo buyer, hold the best available seats, order, pay, wait for CONFIRMED, fetch the tickets), or send single requests: "Log in" keeps jwt_token, "Log in as the administrator" keeps admin_token.',
  '',
  'See postman/README.md.',
].join('\n');

/** The whole collection: generated folders plus the hand-written ones of `previous`, in place. */
export function buildCollection(documents, previous) {
  const generated = generatedFolders(documents);
  const kept = (previous?.item ?? []).filter((f) => !GENERATED_FOLDERS.includes(f.name));
  return {
    info: {
      _postman_id: previous?.info?._postman_id ?? '5f1e6a54-3f43-4d59-9b0e-6f7a0e1c2b8d',
      name: 'etsr: event ticketing and seat reservation',
      description: DESCRIPTION,
      schema: SCHEMA,
    },
    item: [...kept, ...generated],
  };
}

async function main() {
  const environment = JSON.parse(fs.readFileSync(ENVIRONMENT_FILE, 'utf8'));
  const baseUrls = {};
  for (const service of SERVICES) {
    const fromEnv = process.env[`ETSR_${service.name.toUpperCase()}_URL`];
    baseUrls[service.name] = fromEnv ?? environment.values.find((v) => v.key === service.variable)?.value;
    if (!baseUrls[service.name]) throw new Error(`${service.variable} is not in ${path.relative(ROOT, ENVIRONMENT_FILE)}`);
  }
  const documents = await fetchDocuments(baseUrls);
  const previous = fs.existsSync(COLLECTION_FILE) ? JSON.parse(fs.readFileSync(COLLECTION_FILE, 'utf8')) : undefined;
  if (!previous?.item?.some((f) => f.name === 'Booking flow')) console.warn('warning: the collection has no "Booking flow" folder to keep');
  const collection = buildCollection(documents, previous);
  fs.writeFileSync(COLLECTION_FILE, `${JSON.stringify(collection, null, 2)}\n`);
  const counts = collection.item.map((f) => `${f.name} ${f.item.length}`).join(', ');
  console.log(`Wrote ${path.relative(ROOT, COLLECTION_FILE)}: ${counts}.`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
