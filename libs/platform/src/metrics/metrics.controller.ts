import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/decorators';
import { BaseConfig } from '../config/base-config';
import { notFound } from '../errors/app-error';
import { MetricsService } from './metrics.service';

/** Prometheus scrape endpoint, at both documented paths (docs/architecture.md#metrics); on METRICS_PORT instead when that is set. */
@ApiExcludeController()
@Public()
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly config: BaseConfig,
  ) {}

  @Get(['metrics', 'actuator/prometheus'])
  @Header('Cache-Control', 'no-store')
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    if (this.config.METRICS_PORT !== undefined) throw notFound('Metrics are served on the internal metrics port (METRICS_PORT)');
    const body = await this.metrics.registry.metrics();
    reply.header('Content-Type', this.metrics.registry.contentType).send(body);
  }
}
