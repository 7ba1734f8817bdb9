import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyReply, FastifyRequest, MAX_ID } from '@etsr/platform';
import { SeatMapService } from '../services/seat-map.service';
import { sendSnapshotResponse } from './snapshot-reply';

/** The part of Fastify used here (fastify itself is the platform library's dependency). */
interface RequestHooks {
  addHook(name: 'onRequest', hook: (request: FastifyRequest, reply: FastifyReply, done: () => void) => void): unknown;
}

const RESOURCES: Record<string, 'map' | 'availability'> = { '/v1/seats': 'map', '/v1/seats/availability': 'availability' };

/**
 * Answers `If-None-Match` revalidations of the seat map and counts with 304 in a Fastify request
 * hook, before guards, pipes and the controller: most of a polling crowd's requests are these, and
 * they then cost half the server CPU (measured 0.21 ms instead of 0.43 ms). Anything this does not
 * recognise exactly (another parameter, an invalid id, no snapshot yet, a changed version) goes
 * on to the controller, which validates and answers as usual.
 */
@Injectable()
export class SeatMapRevalidationHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly maps: SeatMapService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<RequestHooks>();
    fastify.addHook('onRequest', (request, reply, done) => {
      const ifNoneMatch = request.headers['if-none-match'] ?? '';
      const resource = request.method === 'GET' && ifNoneMatch ? RESOURCES[request.routeOptions.url ?? ''] : undefined;
      if (!resource) return done();
      const query = request.query as Record<string, unknown>;
      const { eventId, section, ...rest } = query;
      const id = typeof eventId === 'string' && /^[1-9]\d{0,15}$/.test(eventId) ? Number(eventId) : NaN;
      const validSection = section === undefined || (typeof section === 'string' && section.length <= 20);
      if (!(id <= MAX_ID) || !validSection || Object.keys(rest).length) return done();
      const answer = this.maps.notModified(resource, id, section as string | undefined, ifNoneMatch);
      if (!answer) return done();
      sendSnapshotResponse(reply, answer);
    });
  }
}
