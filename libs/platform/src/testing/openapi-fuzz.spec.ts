import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FuzzAnswer, FuzzRequest, OpenApiDocument, checkAnswer, operationsOf, requestsFor } from './openapi-fuzz';

const doc: OpenApiDocument = {
  paths: {
    '/v1/things/{id}': {
      delete: { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'number' } }], responses: { 204: {}, 404: {} } },
      get: { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'number' } }], responses: { 200: {}, 404: {} } },
    },
    '/v1/things': {
      post: {
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ThingDto' } } } },
        responses: { 201: {}, 400: {} },
        security: [{ bearer: [] }],
      },
    },
  },
  components: {
    schemas: {
      ThingDto: { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 5 }, size: { allOf: [{ $ref: '#/components/schemas/Size' }], minimum: 1 } } },
      Size: { type: 'integer' },
    },
  },
};

const byName = (method: string, path: string) => operationsOf(doc).find((op) => op.method === method && op.path === path)!;
const options = { credentialFor: () => ({ label: 'admin', token: 'admin-token' }), otherCredentials: [{ label: 'none' }], known: { id: [42] } };

describe('openapi-fuzz: requests from an OpenAPI document', () => {
  it('lists every operation, GETs first and DELETEs last, with its body schema and statuses', () => {
    const ops = operationsOf(doc);
    assert.deepEqual(ops.map((op) => `${op.method} ${op.path}`), ['GET /v1/things/{id}', 'POST /v1/things', 'DELETE /v1/things/{id}']);
    const post = byName('POST', '/v1/things');
    assert.deepEqual(post.body?.required, ['name']);
    assert.deepEqual([...post.statuses], [201, 400]);
    assert.equal(post.secured, true);
  });

  it('fills path parameters (often with known ids), sends no body with a GET and a token only when there is one', () => {
    const requests = fc.sample(requestsFor(doc, byName('GET', '/v1/things/{id}'), options), { seed: 1, numRuns: 300 });
    assert.ok(requests.every((r) => r.url.startsWith('/v1/things/') && !r.url.includes('{id}')));
    assert.ok(requests.some((r) => r.url === '/v1/things/42'));
    assert.ok(requests.some((r) => !/^\/v1\/things\/\d+$/.test(r.url)), 'some ids are not numbers');
    assert.ok(requests.every((r) => r.body === undefined));
    assert.ok(requests.some((r) => r.headers.authorization === 'Bearer admin-token'));
    assert.ok(requests.some((r) => r.credential === 'none' && r.headers.authorization === undefined));
  });

  it('builds bodies from the schema ($ref and allOf resolved): valid ones, and ones missing a required field or of another type', () => {
    const bodies = fc.sample(requestsFor(doc, byName('POST', '/v1/things'), options), { seed: 1, numRuns: 300 }).map((r) => r.body);
    const parse = (b: string) => {
      try {
        return [JSON.parse(b) as unknown];
      } catch {
        return [];
      }
    };
    const parsed = bodies.flatMap((b) => (b === undefined ? [] : parse(b)));
    const isThing = (v: unknown): v is { name: unknown; size?: unknown } => typeof v === 'object' && v !== null && !Array.isArray(v);
    // size is allOf [$ref Size (integer)] with a minimum of 1.
    assert.ok(parsed.some((v) => isThing(v) && Number.isInteger(v.size) && (v.size as number) >= 1), 'an integer size, from allOf and $ref');
    assert.ok(parsed.some((v) => isThing(v) && typeof v.name === 'string' && v.name.length <= 5), 'a valid body');
    assert.ok(parsed.some((v) => isThing(v) && !('name' in v)), 'a body without the required name');
    assert.ok(parsed.some((v) => !isThing(v)), 'a body that is not an object');
    assert.ok(bodies.some((b) => b !== undefined && parse(b).length === 0), 'a body that is not JSON');
  });
});

describe('openapi-fuzz: checking an answer', () => {
  const get = byName('GET', '/v1/things/{id}');
  const req: FuzzRequest = { method: 'GET', url: '/v1/things/abc', credential: 'admin', headers: {} };
  const errorBody = (status: number) => JSON.stringify({ statusCode: status, error: 'X', message: 'm', timestamp: '2026-01-01T00:00:00Z' });
  const answer = (status: number, text = errorBody(status)): FuzzAnswer => ({ status, contentType: 'application/json', text });

  it('accepts a documented status; a 4xx in the error body', () => {
    checkAnswer(get, req, answer(200, '{}'));
    checkAnswer(get, req, answer(404));
  });

  it('refuses a 5xx, an undocumented status and a 4xx in another body, showing the request and the answer', () => {
    assert.throws(() => checkAnswer(get, req, answer(500)), /a 500:[\s\S]*GET \/v1\/things\/abc[\s\S]*→ 500/);
    assert.throws(() => checkAnswer(get, req, answer(409)), /status 409 is not documented for GET \/v1\/things\/\{id\}/);
    assert.throws(() => checkAnswer(get, req, answer(404, '{"error":"Not Found"}')), /a 404 without the platform's error body/);
  });
});
