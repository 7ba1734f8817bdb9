import type { FastifyInstance } from 'fastify';

/** Where every service answers its health check (libs/platform/src/health/health.controller.ts). */
export const HEALTH_PATH = '/health';

export interface RootRouteOptions {
  service: string;
  version?: string;
  /** Whether /docs is served (DOCS_ENABLED). */
  docs: boolean;
}

/**
 * GET / on a service: a browser that opens the bare address lands on the API docs (302 to
 * /docs). Where the docs are off (production by default) there is nothing to send it to, so it
 * gets a small JSON saying which service this is and where its health check is, rather than a
 * redirect to a 404. Registered on Fastify directly: not an API operation, so not in the document.
 */
export function registerRootRoute(fastify: FastifyInstance, options: RootRouteOptions): void {
  const about = {
    service: options.service,
    version: options.version ?? null,
    health: HEALTH_PATH,
    docs: 'off here (DOCS_ENABLED is false, the default with NODE_ENV=production)',
  };
  fastify.get('/', (_request, reply) => {
    if (options.docs) return reply.redirect('/docs', 302);
    return reply.header('Cache-Control', 'no-store').send(about);
  });
}
