import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { forbidden, unauthorized } from '../errors/app-error';
import { currentTrace } from '../logging/trace-context';
import { ALLOW_SERVICE_KEY, AuthenticatedRequest, PUBLIC_KEY, ROLES_KEY, SERVICE_ONLY_KEY } from './decorators';
import { Role } from './principal';
import { TokenService } from './token-service';

/**
 * Global guard, secure by default: every route needs a valid bearer token unless marked @Public().
 * On public routes a token is still read when present (so a public page can tailor its answer),
 * but a bad one is ignored rather than refused.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets) ?? false;
    // true, or the route's explanation for users (ServiceOnly(why)).
    const serviceOnly = this.reflector.getAllAndOverride<boolean | string>(SERVICE_ONLY_KEY, targets) ?? false;
    const allowService = this.reflector.getAllAndOverride<boolean>(ALLOW_SERVICE_KEY, targets) ?? false;
    const roles = this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();

    const token = bearerToken(request.headers.authorization);
    if (isPublic) {
      if (token) {
        try {
          request.principal = this.tokens.verifyAccessToken(token);
        } catch {
          /* a public route does not fail on a stale token */
        }
      }
      return true;
    }
    if (!token) throw unauthorized('Missing bearer token', 'UNAUTHORIZED');
    const principal = this.tokens.verifyAny(token);
    request.principal = principal;

    if (principal.kind === 'service') {
      if (serviceOnly || allowService) return true;
      throw forbidden('Service credentials cannot call this endpoint');
    }
    const trace = currentTrace();
    if (trace) trace.userId = principal.userId;
    if (serviceOnly) {
      const why = typeof serviceOnly === 'string' ? `: ${serviceOnly}` : '';
      throw forbidden(`This endpoint is only for platform services${why}`, 'SERVICE_ONLY');
    }
    if (roles?.length && !roles.includes(principal.role)) throw forbidden(`Requires role ${roles.join(' or ')}`);
    return true;
  }
}

export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}
