import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/decorators';
import { BaseConfig } from '../config/base-config';
import { DatabaseProbe } from './database-probe';
import { RETRY_AFTER_SECONDS } from '../errors/app-error';

export const DB_CHECK_TIMEOUT_MS = 2000;

/** UP only when this service's own database answers; 503 otherwise, so orchestrators stop routing to it. */
@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly probe: DatabaseProbe,
    private readonly config: BaseConfig,
  ) {}

  @Get(['health', 'actuator/health'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Health: UP when this service and its database answer', description: 'The same check at /health and /actuator/health. No token needed.' })
  @ApiOkResponse({ schema: { example: { status: 'UP', service: 'user', components: { db: { status: 'UP', latencyMs: 2 } } } } })
  @ApiServiceUnavailableResponse({ description: 'The database does not answer' })
  async health(@Res() reply: FastifyReply): Promise<void> {
    const started = Date.now();
    let db: { status: 'UP' | 'DOWN'; latencyMs?: number; error?: string };
    try {
      await withTimeout(this.probe.ping(), DB_CHECK_TIMEOUT_MS);
      db = { status: 'UP', latencyMs: Date.now() - started };
    } catch (e) {
      db = { status: 'DOWN', error: e instanceof Error ? e.message : String(e) };
    }
    const status = db.status === 'UP' ? 'UP' : 'DOWN';
    if (status === 'DOWN') reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
    reply
      .status(status === 'UP' ? 200 : 503)
      .header('Cache-Control', 'no-store')
      .send({ status, service: this.config.SERVICE_NAME, version: this.config.VERSION, components: { db } });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`database did not answer within ${ms} ms`)), ms);
    }),
  ]);
}
