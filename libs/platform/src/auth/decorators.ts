import { ExecutionContext, SetMetadata, applyDecorators, createParamDecorator } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { forbidden, unauthorized } from '../errors/app-error';
import { Principal, Role, ServicePrincipal, UserPrincipal } from './principal';

export const PUBLIC_KEY = 'etsr:public';
export const ROLES_KEY = 'etsr:roles';
export const SERVICE_ONLY_KEY = 'etsr:service-only';
export const ALLOW_SERVICE_KEY = 'etsr:allow-service';

/** Marks a public operation in the OpenAPI document, which then gets `security: []` (http/openapi-document.ts). */
export const OPENAPI_PUBLIC_EXTENSION = 'x-etsr-public';

/** No token needed (catalog browsing, health, login). Everything else requires one, and its OpenAPI operation says so. */
export const Public = () => applyDecorators(SetMetadata(PUBLIC_KEY, true), ApiExtension(OPENAPI_PUBLIC_EXTENSION, true));

/** Only users with one of these roles (checked after authentication). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/**
 * Only other services of the platform, with a service credential; user tokens are refused (403
 * SERVICE_ONLY). `why` tells such a user what happens instead (e.g. who calls it, and when), so the
 * refusal says what to do rather than only what is not allowed.
 */
export const ServiceOnly = (why?: string) => SetMetadata(SERVICE_ONLY_KEY, why ?? true);

/** Users as usual, and also services with a credential (e.g. order reading a reservation). */
export const AllowService = () => SetMetadata(ALLOW_SERVICE_KEY, true);

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** The authenticated principal, whichever kind. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw unauthorized();
  return principal;
});

/** The calling user; a service credential is refused here. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): UserPrincipal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw unauthorized();
  if (principal.kind !== 'user') throw forbidden('This endpoint is for users');
  return principal;
});

export const CurrentService = createParamDecorator((_: unknown, ctx: ExecutionContext): ServicePrincipal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (principal?.kind !== 'service') throw forbidden('This endpoint is for services');
  return principal;
});
