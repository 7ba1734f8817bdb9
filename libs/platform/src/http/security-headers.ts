import fastifyCors from '@fastify/cors';
import fastifyHelmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { strictTransportSecurity } from 'helmet';
import type { BaseConfig } from '../config/base-config';

/** The JSON API loads nothing, runs nothing and may be framed by nobody. */
const API_CSP = {
  defaultSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
};

/**
 * Swagger UI at /docs: its scripts and stylesheet from this origin, its document from /docs-json,
 * the icons its CSS inlines as data: URLs. The page carries an inline <style> block and style
 * attributes, hence 'unsafe-inline' for styles only; no inline script runs there.
 */
const DOCS_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
};

const isDocsPage = (url: string) => url === '/docs' || url.startsWith('/docs/');

/** Request headers a browser app may send cross-origin, and answer headers it may read. */
const CORS_REQUEST_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-None-Match', 'Prefer', 'Last-Event-ID', 'traceparent'];
const CORS_EXPOSED_HEADERS = ['ETag', 'Retry-After', 'Idempotent-Replayed', 'Preference-Applied', 'X-Trace-Id'];

/**
 * Security headers and CORS for every service, registered once before any route exists:
 * helmet's headers on every answer (errors and 404s included) with a strict CSP, a relaxed one for
 * the Swagger UI; Strict-Transport-Security only on requests that came over TLS; CORS for the
 * origins in CORS_ORIGINS and no other.
 */
export async function registerSecurityHeaders(app: NestFastifyApplication, config: BaseConfig): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  // Before helmet's own onRoute hook reads it; Nest's SwaggerModule registers the /docs routes
  // with plain fastify.get, so the per-route option is set here.
  fastify.addHook('onRoute', (route: RouteOptions & { helmet?: unknown }) => {
    if (isDocsPage(route.url)) route.helmet = { contentSecurityPolicy: { useDefaults: false, directives: DOCS_CSP } };
  });
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Sent below, only over TLS: over plain HTTP it means nothing, and a development machine
    // answering on localhost must not pin browsers to HTTPS for a year.
    strictTransportSecurity: false,
  });
  // request.protocol believes X-Forwarded-Proto only from the proxies TRUST_PROXY names.
  const hsts = strictTransportSecurity({ maxAge: 31_536_000, includeSubDomains: true });
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    if (request.protocol === 'https') hsts(request.raw, reply.raw, done);
    else done();
  });

  const allowed = new Set(config.CORS_ORIGINS);
  await app.register(fastifyCors, {
    // An origin not listed gets no CORS header at all (its preflight is a 404), so the browser refuses.
    origin: (origin: string | undefined, callback: (error: Error | null, allow: string | false) => void) =>
      callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: CORS_REQUEST_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    // Tokens travel in the Authorization header, never in cookies.
    credentials: false,
    maxAge: 600,
    // A preflight without Access-Control-Request-Method would otherwise get a text/plain 400.
    strictPreflight: false,
  });
}
