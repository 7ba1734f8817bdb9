import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lintOpenApi } from '../src/openapi-lint';
import { Stack, startStack } from '../src/stack';

/**
 * The six services' OpenAPI documents as the running services serve them (/docs-json): Redocly's
 * linter finds nothing (no error, no warning; redocly.yaml), operations ask for a token exactly
 * where the services do, every error answer is the one ErrorBody, ids are typed as they are
 * accepted, and GET / on every service leads to its docs.
 */

type Operation = { security?: Array<Record<string, string[]>>; responses: Record<string, { content?: Record<string, { schema?: unknown }> }>; parameters?: Array<{ name: string; in: string; schema?: Schema }> };
type Schema = { type?: string; items?: Schema; properties?: Record<string, Schema> };
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema>; securitySchemes: Record<string, { description?: string }> } };

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const HEALTH = ['GET /health', 'GET /actuator/health'];

/** Operations that need no token (docs/api.md, Roles: "anyone"); every other one needs the bearer token. */
const PUBLIC: Record<string, string[]> = {
  user: [
    'POST /v1/users/register',
    'POST /v1/users/login',
    'POST /v1/users/refresh',
    'POST /v1/users/logout',
    'POST /v1/users/password-reset',
    'POST /v1/users/password-setup/confirm',
  ],
  catalog: ['GET /v1/venues', 'GET /v1/venues/{id}', 'GET /v1/events', 'GET /v1/events/search', 'GET /v1/events/{id}'],
  seating: ['GET /v1/seats', 'GET /v1/seats/availability', 'GET /v1/seats/stream', 'GET /v1/seats/{id}', 'GET /v1/seats/queues/{eventId}'],
  payment: ['POST /v1/charge', 'POST /v1/payments/charge'],
  order: ['POST /v1/payments/callback', 'POST /v1/orders/callback', 'GET /v1/tickets/public-key', 'GET /v1/tickets/{code}', 'GET /v1/tickets/{code}/qr.png'],
  notification: [],
};

/** Names that hold an id: id, userId, event_id, seatIds… */
const ID_NAME = /^(id|\w+Id|\w+_id|\w+Ids|\w+_ids)$/;

function operations(doc: Document): Array<[string, Operation]> {
  return Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m): [string, Operation] => [`${m.toUpperCase()} ${path}`, item[m]]));
}

describe('OpenAPI documents of the six services', () => {
  let stack: Stack;
  const documents: Record<string, Document> = {};
  before(async () => {
    stack = await startStack();
    for (const [service, url] of Object.entries(stack.urls)) {
      const res = await fetch(`${url}/docs-json`);
      assert.equal(res.status, 200, `${service} /docs-json`);
      documents[service] = (await res.json()) as Document;
    }
  });
  after(() => stack?.stop());

  it('all six are served', () => {
    assert.deepEqual(Object.keys(documents).sort(), Object.keys(PUBLIC).sort());
  });

  it('redocly lint (recommended rules, redocly.yaml) finds no error and no warning in any of them', async () => {
    const problems = await lintOpenApi(documents);
    assert.deepEqual(
      problems.map((p) => `${p.service}: ${p.severity} ${p.ruleId} at ${p.pointer}: ${p.message}`),
      [],
    );
  });

  it('operations without auth declare security: []; every other one the bearer scheme, which says where tokens come from', () => {
    for (const [service, doc] of Object.entries(documents)) {
      const scheme = doc.components.securitySchemes.bearer;
      assert.match(scheme?.description ?? '', /POST \/v1\/users\/login.*accessToken/s, `${service}: the bearer scheme names the login`);
      assert.match(scheme?.description ?? '', /service credential/, `${service}: the bearer scheme names the service credential`);
      const publicOps = operations(doc).filter(([, op]) => Array.isArray(op.security) && op.security.length === 0).map(([name]) => name);
      assert.deepEqual(publicOps.sort(), [...PUBLIC[service], ...HEALTH].sort(), `${service}: public operations`);
      for (const [name, op] of operations(doc)) {
        if (publicOps.includes(name)) continue;
        assert.deepEqual(op.security, [{ bearer: [] }], `${service}: ${name}`);
      }
    }
  });

  it('every error answer (4xx, 5xx) of every operation is the one ErrorBody schema, the same in every service', () => {
    const errorBodies = new Set<string>();
    for (const [service, doc] of Object.entries(documents)) {
      errorBodies.add(JSON.stringify(doc.components.schemas.ErrorBody));
      for (const [name, op] of operations(doc)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) < 400) continue;
          assert.deepEqual(response.content?.['application/json']?.schema, { $ref: '#/components/schemas/ErrorBody' }, `${service}: ${name} ${status}`);
        }
      }
    }
    assert.equal(errorBodies.size, 1, 'one ErrorBody for all');
  });

  it('ids are typed as they are accepted: integers or strings, never a plain number; reserve takes integer seatIds', () => {
    const wrong: string[] = [];
    const check = (where: string, schema: Schema | undefined) => {
      const type = schema?.type === 'array' ? schema.items?.type : schema?.type;
      if (type !== 'integer' && type !== 'string') wrong.push(`${where}: ${JSON.stringify(schema)}`);
    };
    for (const [service, doc] of Object.entries(documents)) {
      for (const [name, op] of operations(doc)) {
        for (const p of op.parameters ?? []) if (ID_NAME.test(p.name)) check(`${service}: ${name} ${p.in} ${p.name}`, p.schema);
      }
      for (const [schemaName, schema] of Object.entries(doc.components.schemas)) {
        for (const [field, property] of Object.entries(schema.properties ?? {})) if (ID_NAME.test(field)) check(`${service}: ${schemaName}.${field}`, property);
      }
    }
    assert.deepEqual(wrong, []);
    assert.deepEqual(documents.seating.components.schemas.ReserveSeatsDto.properties?.seatIds, {
      ...documents.seating.components.schemas.ReserveSeatsDto.properties?.seatIds,
      type: 'array',
      items: { type: 'integer' },
    });
    const userId = documents.user.paths['/v1/users/{id}'].get.parameters?.find((p) => p.name === 'id');
    assert.equal(userId?.schema?.type, 'integer');
  });

  it('GET / on every service redirects (302) to /docs, which answers', async () => {
    for (const [service, url] of Object.entries(stack.urls)) {
      const root = await fetch(`${url}/`, { redirect: 'manual' });
      assert.equal(root.status, 302, `${service} GET /`);
      assert.equal(root.headers.get('location'), '/docs', service);
      const docs = await fetch(new URL(root.headers.get('location')!, url));
      assert.equal(docs.status, 200, `${service} /docs`);
      assert.match(docs.headers.get('content-type') ?? '', /text\/html/);
    }
  });
});
