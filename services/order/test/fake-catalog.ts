import { FakePeer, Route, errorBody } from './fake-peer';

/**
 * A stand-in for the catalog's GET /v1/events/{id} (public, as the real one: a credential is read
 * when sent, never required), from which the order service takes the event's name for e-mails.
 */
export class FakeCatalog extends FakePeer {
  readonly events = new Map<number, string>([[1, 'Rock Concert 2025']]);

  constructor() {
    super('catalog');
  }

  protected routes(): Route[] {
    return [
      {
        name: 'event',
        method: 'GET',
        pattern: /^\/v1\/events\/(\d+)$/,
        access: 'public',
        handle: (m) => {
          const id = Number(m[1]);
          const name = this.events.get(id);
          return name ? [200, { event_id: id, name, status: 'UPCOMING' }] : errorBody(404, 'EVENT_NOT_FOUND', 'Event not found');
        },
      },
    ];
  }
}
