import { randomBytes } from 'node:crypto';
import { ADMIN_TOKEN, Api } from './harness';

let sequence = 0;
const tag = () => `${(sequence++).toString(36)}${randomBytes(2).toString('hex')}`;

/** A valid venue body (every documented field) with a unique name. */
export function venueBody(overrides: Record<string, unknown> = {}) {
  return {
    name: `Test Arena ${tag()}`,
    address: '1 Main Street',
    city: 'Springfield',
    state: 'IL',
    country: 'USA',
    postal_code: '62701',
    capacity: 5000,
    venue_type: 'ARENA',
    facilities: { parking: true, wifi: true },
    ...overrides,
  };
}

/** A valid event body (the POST /v1/events fields) at the given venue. */
export function eventBody(venueId: number, overrides: Record<string, unknown> = {}) {
  return {
    venue_id: venueId,
    name: `Test Event ${tag()}`,
    description: 'A test event',
    event_type: 'CONCERT',
    start_date: '2030-06-01T19:00:00Z',
    end_date: '2030-06-01T23:00:00Z',
    total_seats: 1000,
    base_price: 50.0,
    ...overrides,
  };
}

export async function createVenue(api: Api, overrides: Record<string, unknown> = {}) {
  const res = await api.post('/v1/venues', { token: ADMIN_TOKEN, body: venueBody(overrides) });
  if (res.status !== 201) throw new Error(`create venue failed: ${res.status} ${res.text}`);
  return res.body;
}

export async function createEvent(api: Api, venueId: number, overrides: Record<string, unknown> = {}) {
  const res = await api.post('/v1/events', { token: ADMIN_TOKEN, body: eventBody(venueId, overrides) });
  if (res.status !== 201) throw new Error(`create event failed: ${res.status} ${res.text}`);
  return res.body;
}

/** A venue with one event: the common starting point. */
export async function venueWithEvent(api: Api, eventOverrides: Record<string, unknown> = {}) {
  const venue = await createVenue(api);
  const event = await createEvent(api, venue.venue_id, eventOverrides);
  return { venue, event };
}
