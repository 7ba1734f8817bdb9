import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { JsonLogger } from '../logging/json-logger';
import { currentTrace } from '../logging/trace-context';
import { mapError } from './error-body';

/** Every error leaving a controller becomes the one error body; unexpected ones are logged with their stack. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(private readonly logger: JsonLogger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(this.logger, exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }
}

export function sendError(logger: JsonLogger, exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const mapped = mapError(exception, { traceId: currentTrace()?.traceId, path: request.url?.split('?')[0] });
  if (mapped.unexpected) {
    logger.error('Request failed', exception instanceof Error ? exception : { error: String(exception) }, { path: mapped.body.path, method: request.method }, 'HttpError');
  }
  if (reply.sent) return;
  for (const [name, value] of Object.entries(mapped.headers)) reply.header(name, value);
  reply.status(mapped.body.statusCode).type('application/json; charset=utf-8').send(mapped.body);
}
