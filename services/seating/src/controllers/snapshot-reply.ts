import { FastifyReply } from '@etsr/platform';
import { SnapshotResponse } from '../services/seat-map.service';

/**
 * Browsers and shared caches may reuse a seat map for up to a second (the smallest max-age there
 * is; the snapshot itself is at most a few hundred ms behind), then revalidate with the ETag,
 * which costs a 304 and no body.
 */
export const SEAT_MAP_CACHE_CONTROL = 'public, max-age=1';

/** Sends a snapshot's prepared bytes as they are: no serialisation, no compression per request. */
export function sendSnapshotResponse(reply: FastifyReply, response: SnapshotResponse): void {
  reply.header('etag', response.etag).header('cache-control', SEAT_MAP_CACHE_CONTROL).header('vary', 'Accept-Encoding');
  if (response.status === 304) {
    reply.status(304).send();
    return;
  }
  reply.type('application/json; charset=utf-8');
  if (response.encoding) reply.header('content-encoding', response.encoding);
  reply.status(200).send(response.body);
}
