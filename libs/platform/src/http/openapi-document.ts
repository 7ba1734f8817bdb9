import { DocumentBuilder, OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ReferenceObject, ResponseObject } from '@nestjs/swagger';
import { OPENAPI_PUBLIC_EXTENSION } from '../auth/decorators';

/** Title and description of a service's OpenAPI document. */
export interface AppDescription {
  title: string;
  description: string;
}

/** The one security scheme of every document: user access tokens and service credentials are both bearer JWTs. */
export const BEARER_SCHEME = 'bearer';

const BEARER_DESCRIPTION = [
  'An access token from the user service: `POST /v1/users/login` with `{username, password}` answers `accessToken`',
  '(valid one hour) and `refreshToken`; `POST /v1/users/refresh` with `{refreshToken}` gives a new pair.',
  'Send it as `Authorization: Bearer <accessToken>`; every service accepts it.',
  'Routes for the platform\'s own services (under `/internal/v1/`, and the deprecated `/v1/seats/allocate` and `/release`) take a service credential',
  'instead: a JWT the calling service signs with SERVICE_SECRET for the service it calls; user tokens are refused there.',
].join(' ');

/**
 * Statuses the platform itself can answer on any operation, before or around its handler: the
 * validation pipe and ID pipes (400), the auth guard (401, 403), an unknown id (404), the body
 * limit (413), a body that is not JSON (415) and the rate limits (429). Each is the one error body.
 */
export const PLATFORM_ERROR_STATUSES: Readonly<Record<number, string>> = {
  400: 'Invalid request: malformed JSON, a field or parameter that breaks its rules',
  401: 'Missing, malformed or expired credentials',
  403: 'The caller may not do this',
  404: 'No such resource',
  413: 'Request body is too large',
  415: 'Request body is not JSON',
  429: 'Too many requests; retry later',
};

/** What the auth guard answers, so not listed on operations that need no token unless they say so. */
const GUARD_STATUSES = new Set(['401', '403']);

const ERROR_BODY_SCHEMA = {
  type: 'object' as const,
  description: 'The one body of every error of every service (docs/api.md, Errors)',
  required: ['statusCode', 'error', 'message', 'timestamp'],
  properties: {
    statusCode: { type: 'integer' as const, example: 400, description: 'The HTTP status' },
    error: { type: 'string' as const, example: 'VALIDATION_FAILED', description: 'A stable code to program against' },
    message: { type: 'string' as const, example: 'quantity must not be greater than 10', description: 'For people: what went wrong and what to do' },
    traceId: { type: 'string' as const, example: '4bf92f3577b34da6a3ce929d0e0e4736', description: 'Finds the request in every service\'s logs' },
    path: { type: 'string' as const, example: '/v1/seats/reserve' },
    timestamp: { type: 'string' as const, format: 'date-time', example: '2026-12-04T18:00:00.000Z' },
    details: { type: 'object' as const, example: { field: 'quantity' }, description: 'Data to act on, when there is any' },
  },
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** The document's frame: title, version, licence, the bearer scheme and where its tokens come from. */
export function documentFrame(doc: AppDescription, version: string): Omit<OpenAPIObject, 'paths'> {
  return (
    new DocumentBuilder()
      .setTitle(doc.title)
      .setDescription(doc.description)
      .setVersion(version)
      .setLicense('MIT', 'https://spdx.org/licenses/MIT.html')
      // Relative: the service that serves the document is the one it describes, wherever it listens.
      .addServer('/', 'This service')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: BEARER_DESCRIPTION }, BEARER_SCHEME)
      .build()
  );
}

/**
 * What @nestjs/swagger cannot know from the decorators, added to its document:
 * - security from the auth guard's own rule: every operation needs the bearer token unless it is
 *   @Public() (marked with OPENAPI_PUBLIC_EXTENSION), which gets `security: []`;
 * - the platform's statuses (above) on every operation that does not describe them itself, so the
 *   document lists every status a client can get, not only the handler's own;
 * - the one error body (schema ErrorBody) on every error answer.
 */
export function completeDocument(document: OpenAPIObject): OpenAPIObject {
  document.components = document.components ?? {};
  document.components.schemas = { ...document.components.schemas, ErrorBody: ERROR_BODY_SCHEMA };
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) completeOperation(operation);
    }
  }
  return document;
}

function completeOperation(operation: OperationObject): void {
  const extensions = operation as OperationObject & Record<string, unknown>;
  const isPublic = extensions[OPENAPI_PUBLIC_EXTENSION] === true;
  delete extensions[OPENAPI_PUBLIC_EXTENSION];
  operation.security = isPublic ? [] : [{ [BEARER_SCHEME]: [] }];

  for (const [status, description] of Object.entries(PLATFORM_ERROR_STATUSES)) {
    if (isPublic && GUARD_STATUSES.has(status)) continue;
    operation.responses[status] = operation.responses[status] ?? { description };
  }
  for (const [status, response] of Object.entries(operation.responses) as Array<[string, ResponseObject | ReferenceObject]>) {
    if (Number(status) >= 400 && !('$ref' in response)) withErrorBody(response);
  }
}

const ERROR_BODY_REF = { $ref: '#/components/schemas/ErrorBody' };

/** An error answer is always the error body: its schema is set, examples a controller gave are kept. */
function withErrorBody(response: ResponseObject): void {
  const json = response.content?.['application/json'];
  response.content = { 'application/json': { ...json, schema: ERROR_BODY_REF } };
}
