/**
 * Generated requests over a running service's OpenAPI document: for every operation, fast-check
 * builds requests from the document's own parameter and body schemas (valid values, boundaries,
 * wrong types, missing and extra fields, nulls, long strings, odd unicode, bad ids, bad or no
 * credentials) and checks every answer: never a 5xx, always a status the operation documents, and
 * every 4xx in the platform's error body. The service's own spec seeds data and picks credentials.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import fc from 'fast-check';

type Schema = Record<string, any>;

export interface OpenApiDocument {
  paths: Record<string, Record<string, any>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface Operation {
  method: string;
  /** The templated path, e.g. /v1/users/{id}. */
  path: string;
  parameters: Array<{ name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; schema?: Schema }>;
  body?: Schema;
  bodyRequired: boolean;
  /** The statuses the document lists for it. */
  statuses: Set<number>;
  /** Whether the document asks for a bearer token. */
  secured: boolean;
}

/** A credential as sent, with a label for failure messages (tokens themselves are long and opaque). */
export interface Credential {
  label: string;
  token?: string;
}

export interface FuzzOptions {
  /** The credential of a caller allowed to call `op` (an admin, a buyer, a service). */
  credentialFor(op: Operation): Credential;
  /** Sent instead, now and then: none, a forged one, one of too low a role… */
  otherCredentials: Credential[];
  /** Values that hit seeded rows, by parameter or body field name (e.g. `{ id: ['1', '2'] }`). */
  known?: Record<string, Array<string | number>>;
  /** Requests for the whole document, shared by its operations (default FUZZ_RUNS or 1500). */
  runs?: number;
  /** Default FUZZ_SEED or a fixed one, so a run is reproducible. */
  seed?: number;
}

export interface FuzzRequest {
  method: string;
  /** The path as sent (percent-encoded), with the query string. */
  url: string;
  credential: string;
  headers: Record<string, string>;
  /** Text sent as the body, and its Content-Type. */
  body?: string;
  contentType?: string;
}

export interface FuzzAnswer {
  status: number;
  contentType: string;
  text: string;
}

export const DEFAULT_FUZZ_SEED = 20261204;
const MAX_VALID_STRING = 40;
const MAX_ARRAY = 3;
const MAX_DEPTH = 4;

/** The document the service serves at /docs-json. */
export async function loadOpenApi(baseUrl: string): Promise<OpenApiDocument> {
  const res = await fetch(new URL('/docs-json', baseUrl));
  assert.equal(res.status, 200, 'GET /docs-json');
  return (await res.json()) as OpenApiDocument;
}

/** Every operation of the document, GETs first and DELETEs last (so deletions come after reads). */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const order = ['get', 'post', 'put', 'patch', 'delete'];
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of order) {
      const op = item[method];
      if (!op) continue;
      const content = op.requestBody?.content?.['application/json'];
      ops.push({
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters ?? []).map((p: Schema) => (p.$ref ? resolve(doc, p) : p)),
        body: content?.schema ? resolve(doc, content.schema) : undefined,
        bodyRequired: Boolean(op.requestBody?.required),
        statuses: new Set(Object.keys(op.responses ?? {}).map(Number)),
        secured: Array.isArray(op.security) && op.security.length > 0,
      });
    }
  }
  return ops.sort((a, b) => order.indexOf(a.method.toLowerCase()) - order.indexOf(b.method.toLowerCase()));
}

/** Follows a $ref and folds allOf into one schema. */
function resolve(doc: OpenApiDocument, schema: Schema): Schema {
  if (schema.$ref) {
    const name = String(schema.$ref).replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    assert.ok(target, `unresolved ${schema.$ref}`);
    return resolve(doc, target);
  }
  if (Array.isArray(schema.allOf)) {
    const { allOf, ...rest } = schema;
    return (allOf as Schema[]).reduce<Schema>((merged, part) => ({ ...resolve(doc, part), ...merged }), rest);
  }
  return schema;
}

// ---------------------------------------------------------------------------------------------
// Values

/** Strings nothing should choke on: NUL, unpaired surrogates, RTL override, BOM, emoji, SQL, huge. */
const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFFx',
  '\u202Eevil',
  '\uFEFF',
  'é',
  'ǅ\u0301\u0302\u0303',
  '👨‍👩‍👧‍👦',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '١٢٣',
  "' OR 1=1 --",
  '%s%n%x',
  '${jndi:ldap://x}',
  '../../etc/passwd',
  '__proto__',
  'null',
  'NaN',
  '-0',
  '1e309',
  '0x10',
  '2026-02-30T25:61:00Z',
  '9999-12-31T23:59:59.999Z',
  '0001-01-01',
  'x'.repeat(10_000),
];

const ODD_NUMBERS = [0, -0, -1, 0.5, -2147483649, 2147483648, 9007199254740993, 1e21, 1e308, -1e308, Number.MIN_VALUE];

const isDateTime = (s: Schema) => s.format === 'date-time' || (typeof s.example === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(s.example));
const isEmail = (s: Schema) => s.format === 'email' || (typeof s.example === 'string' && /^[^@\s]+@[^@\s]+\.\w+$/.test(s.example));

function typeOf(schema: Schema): string {
  if (schema.type) return String(schema.type);
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return typeof schema.enum[0] === 'number' ? 'number' : 'string';
  return 'any';
}

/** A value the schema allows (as far as the document says; the service may still refuse it). */
function validValue(doc: OpenApiDocument, raw: Schema, known: Array<string | number> | undefined, depth: number): fc.Arbitrary<unknown> {
  const schema = resolve(doc, raw);
  const type = typeOf(schema);
  const generated = generatedValid(doc, schema, type, depth);
  if (!known?.length) return generated;
  if (type === 'array') {
    // Known values of an array field (seatIds) are its items'.
    const items = validValue(doc, schema.items ?? {}, known, depth + 1);
    return fc.oneof(generated, fc.array(items, { minLength: Math.max(1, schema.minItems ?? 0), maxLength: Math.max(1, Math.min(schema.maxItems ?? MAX_ARRAY, MAX_ARRAY)) }));
  }
  const hits = known.map((v) => (type === 'integer' || type === 'number' ? Number(v) : String(v)));
  return fc.oneof({ arbitrary: fc.constantFrom(...hits), weight: 2 }, { arbitrary: generated, weight: 1 });
}

function generatedValid(doc: OpenApiDocument, schema: Schema, type: string, depth: number): fc.Arbitrary<unknown> {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  const example = schema.example !== undefined ? [fc.constant(schema.example)] : [];
  switch (type) {
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 0);
      const max = schema.maximum ?? min + 1000;
      const ints = fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
      return fc.oneof(ints, fc.constantFrom(min, max), ...example);
    }
    case 'boolean':
      return fc.boolean();
    case 'string': {
      if (schema.format === 'uuid') return fc.uuid();
      if (isDateTime(schema)) {
        const date = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true });
        return fc.oneof(date.map((d) => d.toISOString()), ...example);
      }
      if (isEmail(schema)) return fc.oneof(fc.emailAddress(), ...example);
      const minLength = schema.minLength ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? MAX_VALID_STRING, MAX_VALID_STRING));
      let text: fc.Arbitrary<string> = fc.string({ minLength, maxLength });
      if (schema.pattern) {
        try {
          text = fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity));
        } catch {
          // a pattern JavaScript cannot read: plain strings
        }
      }
      return fc.oneof(text, ...example);
    }
    case 'array': {
      if (depth >= MAX_DEPTH) return fc.constant([]);
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? MAX_ARRAY, MAX_ARRAY));
      return fc.array(mostlyValid(doc, schema.items ?? {}, undefined, depth + 1), { minLength, maxLength });
    }
    case 'object':
      return objectValue(doc, schema, depth);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** An object of the schema's properties: required ones present, optional ones sometimes. */
function objectValue(doc: OpenApiDocument, schema: Schema, depth: number, known?: FuzzOptions['known']): fc.Arbitrary<unknown> {
  if (depth >= MAX_DEPTH) return fc.constant({});
  const properties: Record<string, Schema> = schema.properties ?? {};
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) model[name] = mostlyValid(doc, property, known?.[name], depth + 1, known);
  const required = (schema.required ?? []).filter((name: string) => name in properties);
  return fc.record(model, { requiredKeys: required });
}

/** A value that breaks the schema: the wrong type, out of bounds, too long, too many, odd text. */
function invalidValue(doc: OpenApiDocument, raw: Schema, depth: number): fc.Arbitrary<unknown> {
  const schema = resolve(doc, raw);
  const wrongType = fc.constantFrom<unknown>(null, true, 0, -1, 1.5, '', 'x', [], {}, [null], { a: 1 });
  const choices: fc.Arbitrary<unknown>[] = [wrongType, fc.constantFrom(...ODD_STRINGS)];
  switch (typeOf(schema)) {
    case 'integer':
    case 'number': {
      const bounds = [schema.minimum, schema.maximum].filter((b) => typeof b === 'number');
      choices.push(fc.constantFrom(...ODD_NUMBERS, ...bounds.map((b) => b - 1), ...bounds.map((b) => b + 1)), fc.double(), fc.integer().map(String));
      break;
    }
    case 'string': {
      const tooLong = schema.maxLength !== undefined ? [fc.constant('y'.repeat(schema.maxLength + 1))] : [];
      const tooShort = schema.minLength ? [fc.constant('y'.repeat(schema.minLength - 1))] : [];
      choices.push(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 30 }), ...tooLong, ...tooShort);
      break;
    }
    case 'array': {
      const items = schema.items ?? {};
      const tooMany = schema.maxItems !== undefined ? [fc.array(validValue(doc, items, undefined, depth + 1), { minLength: schema.maxItems + 1, maxLength: schema.maxItems + 1 })] : [];
      const badItems = depth < MAX_DEPTH ? [fc.array(invalidValue(doc, items, depth + 1), { minLength: 1, maxLength: 3 })] : [];
      choices.push(fc.constant([]), ...tooMany, ...badItems);
      break;
    }
    case 'object':
      if (depth < MAX_DEPTH) choices.push(brokenObject(doc, schema, depth));
      break;
  }
  return fc.oneof(...choices);
}

/** Valid five times in six: a broken field is then one among valid ones, so it reaches deeper checks. */
function mostlyValid(doc: OpenApiDocument, schema: Schema, known: Array<string | number> | undefined, depth: number, knownAll?: FuzzOptions['known']): fc.Arbitrary<unknown> {
  const resolved = resolve(doc, schema);
  const valid = typeOf(resolved) === 'object' ? objectValue(doc, resolved, depth, knownAll) : validValue(doc, resolved, known, depth);
  return fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: invalidValue(doc, resolved, depth), weight: 1 });
}

/** An object with a required field missing, an unknown field added, or nothing at all. */
function brokenObject(doc: OpenApiDocument, schema: Schema, depth: number, known?: FuzzOptions['known']): fc.Arbitrary<unknown> {
  const base = objectValue(doc, schema, depth, known) as fc.Arbitrary<Record<string, unknown>>;
  const required: string[] = schema.required ?? [];
  const extraKey = fc.constantFrom('isAdmin', 'role', 'userId', 'id', '__proto__', 'constructor', '', '\u0000', 'é');
  const variants: fc.Arbitrary<unknown>[] = [
    fc.constant({}),
    fc.tuple(base, extraKey, fc.jsonValue({ maxDepth: 1 })).map(([o, key, value]) => ({ ...o, [key]: value })),
  ];
  if (required.length > 0) {
    variants.push(fc.tuple(base, fc.constantFrom(...required)).map(([o, key]) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key))));
    variants.push(fc.tuple(base, fc.constantFrom(...required)).map(([o, key]) => ({ ...o, [key]: null })));
  }
  return fc.oneof(...variants);
}

// ---------------------------------------------------------------------------------------------
// Requests

/** Percent-encodings a string cannot produce: invalid UTF-8, an encoded surrogate, NUL, a slash. */
const RAW_SEGMENTS = ['%ED%A0%80', '%FF', '%C0%AF', '%00', '%2F', '%2e%2e', '%25', '%'];

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** encodeURIComponent, with unpaired surrogates replaced (it throws on them; RAW_SEGMENTS covers them). */
const encode = (value: unknown) => encodeURIComponent(String(value).replace(LONE_SURROGATE, '\uFFFD'));

/** A parameter's value as text: valid (often a seeded one), broken, or percent-encoded garbage. */
function parameterText(doc: OpenApiDocument, schema: Schema, known: Array<string | number> | undefined): fc.Arbitrary<string> {
  const resolved = resolve(doc, schema);
  const valid = validValue(doc, resolved, known, 0).map(encode);
  // At most 2,000 characters: Node itself refuses a request line over 16 KB with a bare 431.
  const invalid = invalidValue(doc, resolved, MAX_DEPTH).map((v) => encode(String(typeof v === 'object' && v !== null ? JSON.stringify(v) : v).slice(0, 2000)));
  return fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: invalid, weight: 2 }, { arbitrary: fc.constantFrom(...RAW_SEGMENTS), weight: 1 });
}

/** Header values must be printable ASCII (fetch refuses anything else), so odd ones are too. */
function headerText(doc: OpenApiDocument, schema: Schema): fc.Arbitrary<string> {
  const printable = fc.string({ unit: 'grapheme-ascii', minLength: 0, maxLength: 80 });
  const valid = validValue(doc, schema, undefined, 0).map((v) => String(v).replace(/[^\x20-\x7e]/g, ''));
  return fc.oneof({ arbitrary: valid, weight: 3 }, printable, fc.constantFrom('', ' ', 'x'.repeat(1000), '"', 'W/"x"', '*'));
}

/** The request body: mostly from the schema, sometimes broken, another JSON value, no body, not JSON. */
function bodyOf(doc: OpenApiDocument, op: Operation, known: FuzzOptions['known']): fc.Arbitrary<{ body?: string; contentType?: string }> {
  const json = (arb: fc.Arbitrary<unknown>) => arb.map((value) => ({ body: JSON.stringify(value), contentType: 'application/json' }));
  const notJson = fc.constantFrom(
    { body: '{', contentType: 'application/json' },
    { body: '{"a":1,}', contentType: 'application/json' },
    { body: '', contentType: 'application/json' },
    { body: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]', contentType: 'application/json' },
    { body: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' },
    { body: '{"a":1}', contentType: 'text/plain' },
    { body: '<a/>', contentType: 'application/xml' },
    { body: '{}', contentType: 'application/json; charset=utf-16' },
    { body: '{}', contentType: 'APPLICATION/JSON' },
    { body: '{}', contentType: 'application/vnd.api+json' },
    { body: '{}', contentType: 'multipart/form-data; boundary=x' },
  );
  const other = json(fc.constantFrom<unknown>(null, [], 'text', 42, true, [{}]));
  const none = fc.constant({});
  // fetch cannot send a body with a GET (nor would a client).
  if (op.method === 'GET' || op.method === 'HEAD') return none;
  if (!op.body) return fc.oneof({ arbitrary: none, weight: 6 }, { arbitrary: json(fc.jsonValue({ maxDepth: 2 })), weight: 1 }, notJson);
  const schemaBody = typeOf(op.body) === 'object' ? objectValue(doc, op.body, 0, known) : mostlyValid(doc, op.body, undefined, 0, known);
  return fc.oneof(
    { arbitrary: json(schemaBody), weight: 8 },
    { arbitrary: json(typeOf(op.body) === 'object' ? brokenObject(doc, op.body, 0, known) : invalidValue(doc, op.body, 0)), weight: 3 },
    { arbitrary: other, weight: 1 },
    { arbitrary: none, weight: 1 },
    { arbitrary: notJson, weight: 1 },
  );
}

/** Requests for one operation. */
export function requestsFor(doc: OpenApiDocument, op: Operation, options: FuzzOptions): fc.Arbitrary<FuzzRequest> {
  const known = options.known ?? {};
  const params = (where: string) => op.parameters.filter((p) => p.in === where);
  const path = fc.record(Object.fromEntries(params('path').map((p) => [p.name, parameterText(doc, p.schema ?? {}, known[p.name])])));
  // Optional parameters sometimes, required ones nearly always; now and then an unknown or repeated one.
  const queryParts = params('query').map((p) =>
    fc.option(parameterText(doc, p.schema ?? {}, known[p.name]).map((v) => `${encodeURIComponent(p.name)}=${v}`), { freq: p.required ? 10 : 2, nil: '' }),
  );
  const oddQuery = fc.oneof(
    { arbitrary: fc.constant(''), weight: 7 },
    fc.constantFrom('offset=5', '__proto__[x]=1', 'page=1&page=2', 'limit=', '=', '&&', 'a%00=b', 'constructor=1'),
  );
  const headers = fc.record(
    Object.fromEntries(params('header').map((p) => [p.name, fc.option(headerText(doc, p.schema ?? {}), { freq: p.required ? 8 : 2, nil: undefined })])),
  );
  const credential = fc.oneof({ arbitrary: fc.constant(options.credentialFor(op)), weight: 5 }, fc.constantFrom(...options.otherCredentials));
  return fc
    .record({ path, query: fc.tuple(...queryParts, oddQuery), headers, credential, body: bodyOf(doc, op, known) })
    .map(({ path: values, query, headers: headerValues, credential: cred, body }) => {
      const pathText = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? '');
      const queryText = query.filter(Boolean).join('&');
      const sent: Record<string, string> = {};
      for (const [name, value] of Object.entries(headerValues)) if (value !== undefined) sent[name] = value;
      if (cred.token !== undefined) sent.authorization = `Bearer ${cred.token}`;
      const req: FuzzRequest = { method: op.method, url: queryText ? `${pathText}?${queryText}` : pathText, credential: cred.label, headers: sent, ...body };
      // fast-check prints a counterexample with this: short, and without the token.
      Object.defineProperty(req, fc.toStringMethod, { value: () => describeRequest(req).join(' | '), enumerable: false });
      return req;
    });
}

/** Sends one request; an event stream is read only up to its status line. */
export async function send(baseUrl: string, req: FuzzRequest): Promise<FuzzAnswer> {
  const headers = { ...req.headers, ...(req.contentType ? { 'content-type': req.contentType } : {}) };
  const abort = new AbortController();
  // A hung request fails the test with its request shown, instead of hanging the file.
  const guard = setTimeout(() => abort.abort(new Error('no answer within 20 s')), 20_000);
  try {
    const res = await fetch(baseUrl + req.url, { method: req.method, headers, body: req.body, signal: abort.signal });
    const contentType = res.headers.get('content-type') ?? '';
    if (contentType.startsWith('text/event-stream')) {
      abort.abort();
      return { status: res.status, contentType, text: '' };
    }
    return { status: res.status, contentType, text: await res.text() };
  } finally {
    clearTimeout(guard);
  }
}

const clip = (text: string, max = 1500) => (text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text);

function describeRequest(req: FuzzRequest): string[] {
  const headers = Object.entries(req.headers)
    .filter(([name]) => name !== 'authorization')
    .map(([name, value]) => `${name}: ${clip(value, 100)}`);
  return [
    `${req.method} ${clip(req.url, 300)}`,
    `credential: ${req.credential}`,
    ...headers,
    ...(req.body !== undefined ? [`content-type: ${req.contentType}`, `body: ${clip(req.body, 1000)}`] : []),
  ];
}

/** The request and the answer, for a failure message. */
export function describeExchange(req: FuzzRequest, answer: FuzzAnswer): string {
  return [...describeRequest(req), `→ ${answer.status} ${answer.contentType}`, clip(answer.text, 1000)].join('\n  ');
}

/** What every answer must be: no 5xx, a documented status, the platform's error body for a 4xx. */
export function checkAnswer(op: Operation, req: FuzzRequest, answer: FuzzAnswer): void {
  const exchange = () => `\n  ${describeExchange(req, answer)}`;
  assert.ok(answer.status < 500, `a ${answer.status}:${exchange()}`);
  assert.ok(op.statuses.has(answer.status), `status ${answer.status} is not documented for ${op.method} ${op.path} (documented: ${[...op.statuses].join(', ')}):${exchange()}`);
  if (answer.status >= 400) {
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(answer.text) as Record<string, unknown>;
    } catch {
      // reported below
    }
    const wellFormed =
      body?.statusCode === answer.status && typeof body.error === 'string' && typeof body.message === 'string' && typeof body.timestamp === 'string';
    assert.ok(wellFormed, `a ${answer.status} without the platform's error body:${exchange()}`);
  }
}

/** Status counts of one operation's requests, for the test's diagnostics. */
export type StatusCounts = Record<number, number>;

/** The number of requests per operation and the seed, from FUZZ_RUNS / FUZZ_SEED or the defaults. */
export function fuzzSettings(operationCount: number, options: Pick<FuzzOptions, 'runs' | 'seed'> = {}): { runsPerOperation: number; seed: number } {
  const total = options.runs ?? (Number(process.env.FUZZ_RUNS) || 1500);
  const seed = options.seed ?? (process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : DEFAULT_FUZZ_SEED);
  return { runsPerOperation: Math.max(20, Math.ceil(total / Math.max(1, operationCount))), seed };
}

/**
 * Runs the property for one operation: `runs` generated requests, each answer checked. A failure
 * names the seed (rerun with FUZZ_SEED) and shows the smallest failing request with its answer.
 */
export async function fuzzOperation(baseUrl: string, doc: OpenApiDocument, op: Operation, options: FuzzOptions & { runs: number; seed: number }): Promise<StatusCounts> {
  const counts: StatusCounts = {};
  await fc.assert(
    fc.asyncProperty(requestsFor(doc, op, options), async (req) => {
      const answer = await send(baseUrl, req);
      counts[answer.status] = (counts[answer.status] ?? 0) + 1;
      checkAnswer(op, req, answer);
    }),
    { seed: options.seed, numRuns: options.runs },
  );
  return counts;
}

/**
 * The whole check for a running service: loads its document and fuzzes each operation as a
 * subtest of `t` (each with its own seed, derived from the one seed), then checks that some
 * requests got through to a handler (a 2xx), so the run is not all refusals at the door.
 */
export async function fuzzDocument(t: TestContext, baseUrl: string, options: FuzzOptions): Promise<void> {
  const doc = await loadOpenApi(baseUrl);
  const ops = operationsOf(doc);
  const { runsPerOperation, seed } = fuzzSettings(ops.length, options);
  t.diagnostic(`${ops.length} operations, ${runsPerOperation} requests each, FUZZ_SEED=${seed}`);
  let succeeded = 0;
  for (const [i, op] of ops.entries()) {
    await t.test(`${op.method} ${op.path}`, async (sub) => {
      const counts = await fuzzOperation(baseUrl, doc, op, { ...options, runs: runsPerOperation, seed: seed + i });
      succeeded += Object.entries(counts).reduce((n, [status, count]) => (Number(status) < 300 ? n + count : n), 0);
      sub.diagnostic(`statuses: ${JSON.stringify(counts)}`);
    });
  }
  assert.ok(succeeded > 0, 'no generated request got a 2xx: the generators or credentials are off');
}
