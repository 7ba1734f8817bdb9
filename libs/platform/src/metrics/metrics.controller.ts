import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/decorators';
import { MetricsService } from './metrics.service';

/** Prometheus scrape endpoint, at both documented paths (docs/architecture.md#metrics). */
@ApiExcludeController()
@Public()
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get(['metrics', 'actuator/prometheus'])
  @Header('Cache-Control', 'no-store')
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    const body = await this.metrics.registry.metrics();
    reply.header('Content-Type', this.metrics.registry.contentType).send(body);
  }
}
