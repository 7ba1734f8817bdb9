import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, Stack, loadDemoData, startStack } from '../src/stack';

/**
 * postman/: the collection parses and every request points at the environment; every public
 * operation of every service's OpenAPI document has a request (a new endpoint without one fails
 * here: regenerate with scripts/postman/generate.mjs); and the hand-written "Booking flow" folder
 * runs green with newman against all six services as processes with the demo data.
 */

const COLLECTION_FILE = join(ROOT, 'postman/etsr.postman_collection.json');
const ENVIRONMENT_FILE = join(ROOT, 'postman/etsr.postman_environment.json');
const V21 = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';
const SERVICES: Record<string, { variable: string; port: number; folder: string }> = {
  user: { variable: 'base_url_user', port: 8081, folder: 'User Service' },
  catalog: { variable: 'base_url_catalog', port: 8000, folder: 'Catalog Service' },
  seating: { variable: 'base_url_seating', port: 8082, folder: 'Seating Service' },
  payment: { variable: 'base_url_payment', port: 4004, folder: 'Payment Service' },
  order: { variable: 'base_url_order', port: 4003, folder: 'Order Service' },
  notification: { variable: 'base_url_notification', port: 4005, folder: 'Notification Service' },
};
const BOOKING_FLOW = 'Booking flow';

interface Auth {
  type: string;
  bearer?: { key: string; value: string }[];
}
interface Request {
  method: string;
  auth?: Auth;
  header?: { key: string; value: string; disabled?: boolean }[];
  url: { raw: string; host: string[]; path: string[] };
}
interface Item {
  name: string;
  item?: Item[];
  request?: Request;
  event?: { listen: string; script: { exec: string[] } }[];
}
interface Environment {
  name: string;
  values: { key: string; value: string; enabled?: boolean }[];
}

const collection = JSON.parse(readFileSync(COLLECTION_FILE, 'utf8')) as { info: { name: string; schema: string; description: string }; item: Item[] };
const environment = JSON.parse(readFileSync(ENVIRONMENT_FILE, 'utf8')) as Environment;
const envKeys = new Set(environment.values.map((v) => v.key));

/** Every request of the collection with the folders it is in. */
function requests(items: Item[], folders: string[] = []): { item: Item; request: Request; folders: string[] }[] {
  return items.flatMap((item) => (item.item ? requests(item.item, [...folders, item.name]) : item.request ? [{ item, request: item.request, folders }] : []));
}
const ALL = requests(collection.item);

/** "{{base_url_order}}/v1/orders/:id" → { variable: 'base_url_order', segments: ['v1','orders',':id'] }. */
function target(request: Request) {
  const variable = /^\{\{(\w+)\}\}$/.exec(request.url.host.join('.'))?.[1];
  return { variable, segments: request.url.path };
}

/** A request's path segment stands for an OpenAPI path segment: equal, or a variable for a {param}. */
function segmentMatches(requestSegment: string, documentSegment: string) {
  if (/^\{\w+\}$/.test(documentSegment)) return /^:\w+$/.test(requestSegment) || /^\{\{[\w$]+\}\}$/.test(requestSegment);
  return requestSegment === documentSegment;
}
function sameOperation(request: Request, service: string, method: string, path: string) {
  const { variable, segments } = target(request);
  const wanted = path.split('/').filter(Boolean);
  return (
    variable === SERVICES[service].variable &&
    request.method === method &&
    segments.length === wanted.length &&
    segments.every((s, i) => segmentMatches(s, wanted[i]))
  );
}

/** Service-only routes and metrics are left out of the collection. */
const isPublic = (path: string) => !path.startsWith('/internal/') && !/(^|\/)(metrics|prometheus)$/.test(path);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('Postman collection: the file', () => {
  it('parses as a Postman Collection v2.1 with the service folders, Health Checks and the Booking flow', () => {
    assert.equal(collection.info.schema, V21);
    assert.match(collection.info.description, /^Regenerate: run `npm start`.*node scripts\/postman\/generate\.mjs/);
    const folders = collection.item.map((f) => f.name);
    for (const name of [BOOKING_FLOW, ...Object.values(SERVICES).map((s) => s.folder), 'Health Checks']) assert.ok(folders.includes(name), `folder ${name}`);
    assert.ok(ALL.length > 60, `${ALL.length} requests`);
  });

  it('every request URL starts with a base_url_* variable of the environment, and every variable used is in the environment', () => {
    const problems: string[] = [];
    const used = new Set<string>();
    const text = readFileSync(COLLECTION_FILE, 'utf8');
    for (const m of text.matchAll(/\{\{([\w$]+)\}\}/g)) if (!m[1].startsWith('$')) used.add(m[1]);
    for (const m of text.matchAll(/pm\.environment\.(?:get|set)\('(\w+)'/g)) used.add(m[1]);
    for (const key of used) if (!envKeys.has(key)) problems.push(`{{${key}}} is not in the environment`);
    for (const { item, request, folders } of ALL) {
      const { variable } = target(request);
      const where = `${folders.join(' / ')} / ${item.name}`;
      if (!variable || !/^base_url_\w+$/.test(variable) || !envKeys.has(variable)) problems.push(`${where}: host ${request.url.host.join('.')}`);
      if (!request.url.raw.startsWith(`{{${variable}}}/`)) problems.push(`${where}: url ${request.url.raw}`);
      // Explicit auth on every request: a token from the environment, or none.
      const auth = request.auth;
      if (!auth || (auth.type !== 'noauth' && auth.type !== 'bearer')) problems.push(`${where}: auth ${JSON.stringify(auth)}`);
      if (auth?.type === 'bearer' && !['{{jwt_token}}', '{{admin_token}}'].includes(auth.bearer?.find((b) => b.key === 'token')?.value ?? '')) {
        problems.push(`${where}: bearer ${JSON.stringify(auth.bearer)}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('the environment: base URLs on localhost with the contract ports, event 1, the demo accounts, the ids the flow keeps', () => {
    const value = (key: string) => environment.values.find((v) => v.key === key)?.value;
    for (const [name, s] of Object.entries(SERVICES)) assert.equal(value(s.variable), `http://localhost:${s.port}`, name);
    assert.equal(value('event_id'), '1');
    assert.deepEqual([value('admin_username'), value('admin_password'), value('buyer_username'), value('buyer_password')], ['admin', 'Admin123!', 'alice_johnson', 'SecurePass123!']);
    for (const key of ['jwt_token', 'admin_token', 'user_id', 'reservation_id', 'order_id', 'payment_id']) assert.ok(envKeys.has(key), key);
  });

  it('the Booking flow logs in, holds the best available seats, orders with an Idempotency-Key, pays, polls a bounded number of times, fetches the tickets', () => {
    const flow = requests(collection.item.filter((f) => f.name === BOOKING_FLOW));
    const shape = flow.map(({ request }) => `${request.method} ${target(request).variable} /${request.url.path.join('/')}`);
    assert.deepEqual(shape, [
      'POST base_url_user /v1/users/login',
      'POST base_url_seating /v1/seats/reserve',
      'POST base_url_order /v1/orders',
      'POST base_url_payment /v1/charge',
      'GET base_url_order /v1/orders/{{order_id}}',
      'GET base_url_order /v1/orders/{{order_id}}/tickets',
      'GET base_url_order /v1/tickets/{{ticket_code}}',
    ]);
    const scripts = (i: number) => (flow[i].item.event ?? []).flatMap((e) => e.script.exec).join('\n');
    for (let i = 0; i < flow.length; i++) assert.match(scripts(i), /pm\.test\(/, flow[i].item.name);
    assert.match(scripts(0), /pm\.environment\.set\('jwt_token'/);
    assert.equal(flow[2].request.header?.find((h) => h.key === 'Idempotency-Key')?.value, '{{$guid}}');
    assert.match(scripts(4), /setNextRequest\(/);
    assert.match(scripts(4), /max_poll_attempts/);
  });
});

describe('Postman collection: against all six services as processes with the demo data', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { order: { OUTBOX_POLL_INTERVAL_MS: '200' } } });
    await loadDemoData(stack);
  });
  after(() => stack?.stop());

  it("every public operation of every service's OpenAPI document has a request, and every request an operation", async () => {
    const missing: string[] = [];
    const operations: { service: string; method: string; path: string }[] = [];
    for (const service of Object.keys(SERVICES)) {
      const res = await fetch(`${stack.urls[service]}/docs-json`);
      assert.equal(res.status, 200, `${service} /docs-json`);
      const document = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
      for (const [path, item] of Object.entries(document.paths)) {
        if (!isPublic(path)) continue;
        for (const method of METHODS) if (item[method]) operations.push({ service, method: method.toUpperCase(), path });
      }
    }
    for (const op of operations) {
      if (!ALL.some(({ request }) => sameOperation(request, op.service, op.method, op.path))) missing.push(`${op.service}: ${op.method} ${op.path}`);
    }
    assert.deepEqual(missing, [], 'operations without a Postman request: run `node scripts/postman/generate.mjs` against `npm start` (see postman/README.md)');
    const stale = ALL.filter(({ request }) => !operations.some((op) => sameOperation(request, op.service, op.method, op.path))).map(
      ({ item, request }) => `${item.name}: ${request.method} ${request.url.raw}`,
    );
    assert.deepEqual(stale, [], 'requests for no operation of the documents');
    assert.ok(operations.length > 50, `${operations.length} operations`);
  });

  it('the Booking flow folder runs with newman with no failure: the order is CONFIRMED with a ticket per seat', async () => {
    const values = environment.values.map((v) => {
      const service = Object.entries(SERVICES).find(([, s]) => s.variable === v.key)?.[0];
      return service ? { ...v, value: stack.urls[service] } : { ...v };
    });
    const summary = await runNewman({ collection, environment: { ...environment, values }, folder: BOOKING_FLOW, timeoutRequest: 30_000 });
    const failures = summary.run.failures.map((f) => `${f.source?.name ?? '?'}: ${f.error?.test ?? ''} ${f.error?.message ?? ''}`);
    assert.deepEqual(failures, []);
    const stats = summary.run.stats;
    assert.equal(stats.requests.failed, 0);
    assert.equal(stats.assertions.failed, 0);
    assert.ok(stats.assertions.total >= 14, `${stats.assertions.total} assertions`);
    const names = summary.run.executions.map((e) => e.item.name);
    assert.equal(names[0], '1. Log in as the buyer');
    assert.equal(names.at(-1), '7. Check a ticket');

    // What the flow kept, checked here without newman.
    const kept = Object.fromEntries(summary.environment.values.map((v) => [v.key, v.value]));
    const order = await fetch(`${stack.urls.order}/v1/orders/${kept.order_id}`, { headers: { authorization: `Bearer ${kept.jwt_token}` } });
    const body = (await order.json()) as { status: string; paymentId: string; items: unknown[] };
    assert.equal(body.status, 'CONFIRMED');
    assert.equal(body.paymentId, kept.payment_id);
    assert.equal(body.items.length, 2);
  });
});

interface NewmanSummary {
  run: {
    stats: Record<'requests' | 'assertions', { total: number; failed: number }>;
    failures: { source?: { name?: string }; error?: { test?: string; message?: string } }[];
    executions: { item: { name: string } }[];
  };
  environment: { values: { key: string; value: string }[] };
}

/** newman's library API (newman has no types of its own). */
function runNewman(options: { collection: unknown; environment: unknown; folder: string; timeoutRequest: number }): Promise<NewmanSummary> {
  const newman = require('newman') as {
    run(options: unknown, callback: (err: Error | null, summary: { run: NewmanSummary['run']; environment: { toJSON(): NewmanSummary['environment'] } }) => void): void;
  };
  return new Promise((resolve, reject) =>
    newman.run({ ...options, reporters: [] }, (err, summary) => (err ? reject(err) : resolve({ run: summary.run, environment: summary.environment.toJSON() }))),
  );
}
