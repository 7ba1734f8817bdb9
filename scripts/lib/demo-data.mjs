// Demo data loaded by `npm start` through the services' public APIs, so it goes through the same
// validation as real traffic and can be loaded again and again (existing data counts as present).
//
// Each step names the services it needs and is skipped when one of them is not part of the repo
// yet. Later steps (venues, events, seat maps, …) are added to STEPS; they can use the tokens
// the earlier steps put in `context`.

import { requestJson } from './http.mjs';

/** The development accounts: the administrator the user service creates at boot, and a buyer. */
export const DEMO_ACCOUNTS = Object.freeze({
  admin: Object.freeze({
    username: process.env.ADMIN_USERNAME || 'admin',
    email: process.env.ADMIN_EMAIL || 'admin@example.com',
    password: process.env.ADMIN_PASSWORD || 'Admin123!',
  }),
  buyer: Object.freeze({
    username: 'alice_johnson',
    email: 'alice@example.com',
    password: 'SecurePass123!',
    firstName: 'Alice',
    lastName: 'Johnson',
    phoneNumber: '+1234567890',
  }),
});

const STEPS = [
  { title: 'demo buyer account', needs: ['user'], run: registerBuyer },
  { title: 'demo account logins', needs: ['user'], run: verifyLogins },
  { title: 'demo venues and events', needs: ['user', 'catalog'], run: loadCatalog },
  { title: 'demo seat plans', needs: ['user', 'catalog', 'seating'], run: loadSeatPlans },
];

/**
 * Runs every step whose services are present. `urls` maps service name → base URL
 * (http://127.0.0.1:<port>) of the running services. Throws on the first failing step.
 * Resolves to the shared context (tokens of the demo accounts).
 */
export async function loadDemoData({ urls, log = console.log }) {
  const context = { tokens: {} };
  for (const step of STEPS) {
    if (!step.needs.every((name) => urls[name])) continue;
    try {
      await step.run({ urls, log, context });
    } catch (err) {
      throw new Error(`Loading demo data failed (${step.title}): ${err.message}`);
    }
  }
  return context;
}

// ---------------------------------------------------------------------------------------------
// Steps

async function registerBuyer({ urls, log }) {
  const res = await requestJson('POST', `${urls.user}/v1/users/register`, DEMO_ACCOUNTS.buyer);
  // 201: created; 200: this very registration exists already (a replay); 409: the name is taken
  // by an account registered otherwise, which the login check below vets.
  if (res.status === 201) log(`Demo data: registered ${DEMO_ACCOUNTS.buyer.username}.`);
  else if (res.status !== 200 && res.status !== 409) throw unexpected(res, 'register the buyer (201, 200 or 409)');
}

async function verifyLogins({ urls, context }) {
  for (const [role, account] of Object.entries(DEMO_ACCOUNTS)) {
    const res = await requestJson('POST', `${urls.user}/v1/users/login`, {
      username: account.username,
      password: account.password,
    });
    if (res.status !== 200 || typeof res.body?.accessToken !== 'string') {
      throw unexpected(res, `log in as ${account.username} (200 with accessToken)`);
    }
    context.tokens[role] = res.body.accessToken;
  }
}

// ---------------------------------------------------------------------------------------------
// Catalog and seat plans

/**
 * The venues and events of the README's walkthroughs, and a few more.
 * "Rock Concert 2025" is the only UPCOMING CONCERT in New York and is created first, so on an
 * empty catalog it is event 1 at venue 1 and the walkthrough's search answers as the README shows. Each
 * event's total_seats is the size of the seat plan below, so catalog and seating agree.
 */
export const DEMO_VENUES = Object.freeze([
  {
    name: 'Madison Square Garden', address: '4 Pennsylvania Plaza', city: 'New York', state: 'NY', country: 'USA',
    postal_code: '10001', capacity: 20000, venue_type: 'ARENA',
    facilities: { parking: true, wifi: true, food_court: true, accessible: true },
  },
  {
    name: 'Wembley Stadium', address: 'Wembley, London', city: 'London', country: 'UK',
    postal_code: 'HA9 0WS', capacity: 90000, venue_type: 'STADIUM',
    facilities: { parking: true, wifi: true, vip_lounges: true },
  },
  {
    name: 'Moscone Center', address: '747 Howard St', city: 'San Francisco', state: 'CA', country: 'USA',
    postal_code: '94103', capacity: 12000, venue_type: 'CONVENTION_CENTER',
    facilities: { parking: false, wifi: true, catering: true, accessible: true },
  },
]);

/** Seat plans, front to back. The first is the walkthrough's: VIP 100, PREMIUM 300, REGULAR 600. */
const THREE_TIERS = [
  { name: 'VIP', rows: 5, seatsPerRow: 20, price: 150 },
  { name: 'PREMIUM', rows: 10, seatsPerRow: 30, price: 100 },
  { name: 'REGULAR', rows: 15, seatsPerRow: 40, price: 50 },
];
const STADIUM = [
  { name: 'PITCHSIDE', rows: 10, seatsPerRow: 40, price: 220 },
  { name: 'LOWER', rows: 20, seatsPerRow: 50, price: 120 },
  { name: 'UPPER', rows: 20, seatsPerRow: 60, price: 60 },
];
const HALL = [
  { name: 'STALLS', rows: 12, seatsPerRow: 25, price: 85 },
  { name: 'CIRCLE', rows: 8, seatsPerRow: 25, price: 55 },
];
const seatsIn = (layout) => layout.reduce((n, s) => n + s.rows * s.seatsPerRow, 0);

export const DEMO_EVENTS = Object.freeze([
  { venue: 'Madison Square Garden', name: 'Rock Concert 2025', description: 'Annual rock music festival featuring top artists', event_type: 'CONCERT', start_date: '2025-12-01T19:00:00Z', end_date: '2025-12-01T23:00:00Z', base_price: 75.0, layout: THREE_TIERS },
  { venue: 'Wembley Stadium', name: 'Champions League Final', description: 'The final of the European club championship', event_type: 'SPORTS', start_date: '2025-06-15T20:00:00Z', end_date: '2025-06-15T22:30:00Z', base_price: 120.0, layout: STADIUM },
  { venue: 'Wembley Stadium', name: 'Summer Stadium Tour 2027', description: 'Open-air concert with special guests', event_type: 'CONCERT', start_date: '2027-07-10T18:00:00Z', end_date: '2027-07-10T22:30:00Z', base_price: 95.0, layout: STADIUM },
  { venue: 'Madison Square Garden', name: 'Knicks vs Celtics', description: 'Regular-season basketball', event_type: 'SPORTS', start_date: '2027-01-16T00:30:00Z', end_date: '2027-01-16T03:00:00Z', base_price: 110.0, layout: THREE_TIERS },
  { venue: 'Madison Square Garden', name: 'A Christmas Carol', description: 'The holiday classic on stage', event_type: 'THEATER', start_date: '2026-12-20T19:00:00Z', end_date: '2026-12-20T21:30:00Z', base_price: 65.0, layout: HALL },
  { venue: 'Moscone Center', name: 'Swan Lake', description: 'Ballet in four acts', event_type: 'THEATER', start_date: '2027-02-12T04:00:00Z', end_date: '2027-02-12T06:30:00Z', base_price: 85.5, layout: HALL },
  { venue: 'Moscone Center', name: 'TechConf 2027', description: 'Three days of talks and workshops on cloud software', event_type: 'CONFERENCE', start_date: '2027-03-15T16:00:00Z', end_date: '2027-03-17T01:00:00Z', base_price: 499.0, layout: HALL },
  { venue: 'Moscone Center', name: 'AI Summit 2027', description: 'Applied machine learning in production', event_type: 'CONFERENCE', start_date: '2027-09-08T16:00:00Z', end_date: '2027-09-09T00:00:00Z', base_price: 299.0, layout: HALL },
]);

/** Venues and events, created through the catalog API; those that exist (same name and place) are kept. */
async function loadCatalog({ urls, log, context }) {
  const token = context.tokens.admin;
  if (!token) throw new Error('no admin token (the login step did not run)');

  const venues = [];
  for (let page = 1; ; page++) {
    const res = await requestJson('GET', `${urls.catalog}/v1/venues?page=${page}&limit=100`);
    if (res.status !== 200 || !Array.isArray(res.body?.venues)) throw unexpected(res, 'list venues (200)');
    venues.push(...res.body.venues);
    if (res.body.venues.length === 0 || venues.length >= res.body.total_count) break;
  }
  const venueIds = {};
  let createdVenues = 0;
  for (const venue of DEMO_VENUES) {
    const existing = venues.find((v) => v.name === venue.name && v.city === venue.city);
    if (existing) {
      venueIds[venue.name] = existing.venue_id;
      continue;
    }
    const res = await requestJson('POST', `${urls.catalog}/v1/venues`, venue, token);
    if (res.status !== 201) throw unexpected(res, `create the venue ${venue.name} (201)`);
    venueIds[venue.name] = res.body.venue_id;
    createdVenues++;
  }

  context.events = [];
  let createdEvents = 0;
  for (const { venue, layout, ...event } of DEMO_EVENTS) {
    const venue_id = venueIds[venue];
    const found = await requestJson('GET', `${urls.catalog}/v1/events/search?q=${encodeURIComponent(event.name)}&limit=100`);
    if (found.status !== 200 || !Array.isArray(found.body?.events)) throw unexpected(found, `search for ${event.name} (200)`);
    let eventId = found.body.events.find((e) => e.name === event.name && e.venue_id === venue_id)?.event_id;
    if (!eventId) {
      const res = await requestJson('POST', `${urls.catalog}/v1/events`, { venue_id, ...event, total_seats: seatsIn(layout) }, token);
      if (res.status !== 201) throw unexpected(res, `create the event ${event.name} (201)`);
      eventId = res.body.event_id;
      createdEvents++;
    }
    context.events.push({ eventId, venueId: venue_id, name: event.name, layout });
  }
  if (createdVenues || createdEvents) log(`Demo data: created ${createdVenues} venue(s) and ${createdEvents} event(s) in the catalog.`);
}

/** A seat plan for every demo event; the seating service answers 200 for a plan that exists already. */
async function loadSeatPlans({ urls, log, context }) {
  let seats = 0;
  for (const event of context.events ?? []) {
    const res = await requestJson('POST', `${urls.seating}/v1/seats/bulk`, { eventId: event.eventId, sections: event.layout }, context.tokens.admin);
    if (res.status !== 201 && res.status !== 200) throw unexpected(res, `create the seat plan of ${event.name} (201 or 200)`);
    seats += res.body.created;
  }
  if (seats) log(`Demo data: created ${seats} seats in ${context.events.length} seat plans.`);
}

// ---------------------------------------------------------------------------------------------
// HTTP

function unexpected(res, expectation) {
  const body = typeof res.body === 'string' ? res.body : JSON.stringify(res.body);
  return new Error(`could not ${expectation}: ${res.method} ${res.url} answered ${res.status} ${truncate(body, 300)}`);
}

function truncate(text, max) {
  return text && text.length > max ? `${text.slice(0, max)}…` : text;
}
