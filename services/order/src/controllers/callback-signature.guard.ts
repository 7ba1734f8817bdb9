import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { FastifyRequest, SIGNATURE_HEADER, verifySignature } from '@etsr/platform';
import { OrderConfig } from '../config';

/**
 * Checks the payment service's signature over the exact bytes received (`rawBody`, kept by the
 * platform's JSON parser). A guard, not a check in the handler: guards run before the validation
 * pipe, so a caller who cannot sign learns nothing about the body's rules (401, never a 400 naming
 * the fields).
 */
@Injectable()
export class CallbackSignatureGuard implements CanActivate {
  constructor(private readonly config: OrderConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest & { rawBody?: string }>();
    verifySignature(this.config.CALLBACK_SECRET, request.headers[SIGNATURE_HEADER], request.rawBody ?? '');
    return true;
  }
}
