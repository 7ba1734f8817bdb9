import { CanActivate, ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import { AuthenticatedRequest, Principal, TokenService, bearerToken, currentTrace, unauthorized } from '@etsr/platform';

/**
 * For @Public routes where a token is optional but, when sent, must be valid (POST /v1/charge).
 * The global guard has already read a valid user token; this one refuses (401) a token that did
 * not verify instead of silently treating its sender as anonymous, and accepts service credentials.
 */
@Injectable()
export class OptionalTokenGuard implements CanActivate {
  constructor(private readonly tokens: TokenService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (request.principal) return true;
    const header = request.headers.authorization;
    if (header === undefined) return true;
    const token = bearerToken(header);
    if (!token) throw unauthorized('The Authorization header must be "Bearer <token>"', 'INVALID_TOKEN');
    const principal = this.tokens.verifyAny(token);
    request.principal = principal;
    const trace = currentTrace();
    if (trace && principal.kind === 'user') trace.userId = principal.userId;
    return true;
  }
}

/** The caller when a token was sent; undefined for an anonymous call. */
export const OptionalPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal | undefined => ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal,
);
