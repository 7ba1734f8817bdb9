// Demo data loaded by `npm start` through the services' public APIs, so it goes through the same
// validation as real traffic and can be loaded again and again (existing data counts as present).
//
// Each step names the services it needs and is skipped when one of them is not part of the repo
// yet. Later steps (venues, events, seat maps, …) are added to STEPS; they can use the tokens
// the earlier steps put in `context`.

import { requestJson } from './http.mjs';

const DEMO_PASSWORD = 'SecurePass123!';

/**
 * The development accounts: the administrator the user service creates at boot (user 1), and the
 * buyers registered here, in this order. The architecture document's walkthrough (README, "The
 * architecture document's walkthrough, as printed") has Alice as user 5 and a second buyer as user 6; user ids come from
 * a sequence, so on a fresh database three other demo buyers are registered first: the
 * document's Kubernetes smoke-test user and two more.
 */
export const DEMO_ACCOUNTS = Object.freeze({
  admin: Object.freeze({
    username: process.env.ADMIN_USERNAME || 'admin',
    email: process.env.ADMIN_EMAIL || 'admin@example.com',
    password: process.env.ADMIN_PASSWORD || 'Admin123!',
  }),
  buyer: Object.freeze({
    username: 'alice_johnson',
    email: 'alice@example.com',
    password: DEMO_PASSWORD,
    firstName: 'Alice',
    lastName: 'Johnson',
    phoneNumber: '+1234567890',
  }),
  /** The document's $JWT_TOKEN2 (8.2, concurrent reservation). */
  buyer2: Object.freeze({
    username: 'bob_smith',
    email: 'bob@example.com',
    password: DEMO_PASSWORD,
    firstName: 'Bob',
    lastName: 'Smith',
    phoneNumber: '+1234567891',
  }),
});

/** Registered before Alice, so that she is user 5 (after the administrator, user 1). */
export const EARLIER_DEMO_BUYERS = Object.freeze([
  Object.freeze({ username: 'testuser', email: 'test@example.com', password: 'Test@123', firstName: 'Test', lastName: 'User' }),
  Object.freeze({ username: 'maria_garcia', email: 'maria@example.com', password: DEMO_PASSWORD, firstName: 'Maria', lastName: 'Garcia', phoneNumber: '+1234567892' }),
  Object.freeze({ username: 'david_lee', email: 'david@example.com', password: DEMO_PASSWORD, firstName: 'David', lastName: 'Lee', phoneNumber: '+1234567893' }),
]);

/** The ids the document's walkthrough uses; checked after loading (see checkDocumentIds). */
export const DOCUMENT_IDS = Object.freeze({ admin: 1, buyer: 5, buyer2: 6, event: 1 });

const STEPS = [
  { title: 'demo buyer accounts', needs: ['user'], run: registerBuyers },
  { title: 'demo account logins', needs: ['user'], run: verifyLogins },
  { title: 'demo venues, events and seat plans', needs: ['user', 'catalog', 'seating'], run: loadCatalog },
  { title: "the document's ids", needs: ['user'], run: checkDocumentIds },
];

/**
 * Runs every step whose services are present. `urls` maps service name → base URL
 * (http://127.0.0.1:<port>) of the running services. Throws on the first failing step.
 * Resolves to the shared context: tokens and user ids of the demo accounts, the events, and
 * `warnings` (the document's ids that do not hold on this database, said loudly through `log`).
 */
export async function loadDemoData({ urls, log = console.log }) {
  const context = { tokens: {}, userIds: {}, warnings: [] };
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

/** Registers the demo buyers in a fixed order (EARLIER_DEMO_BUYERS, Alice, Bob). */
async function registerBuyers({ urls, log }) {
  const created = [];
  for (const account of [...EARLIER_DEMO_BUYERS, DEMO_ACCOUNTS.buyer, DEMO_ACCOUNTS.buyer2]) {
    const res = await requestJson('POST', `${urls.user}/v1/users/register`, account);
    // 201: created; 200: this very registration exists already (a replay); 409: the name is taken
    // by an account registered otherwise, which the id check below reports.
    if (res.status === 201) created.push(`${account.username} (user ${res.body.userId})`);
    else if (res.status !== 200 && res.status !== 409) throw unexpected(res, `register ${account.username} (201, 200 or 409)`);
  }
  if (created.length) log(`Demo data: registered ${created.join(', ')}.`);
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
    context.userIds[role] = res.body.user?.userId;
  }
}

/**
 * The document's walkthrough works as printed only when Alice is user 5, the second buyer user 6
 * and "Rock Concert 2025" event 1, still UPCOMING. On a database that was not fresh (accounts or
 * events made before the demo data, or by an older version of it) they may differ: that is said
 * loudly, with what to do, rather than stopping the platform, which works all the same.
 */
async function checkDocumentIds({ log, context }) {
  const problems = [];
  for (const role of ['admin', 'buyer', 'buyer2']) {
    const actual = context.userIds[role];
    if (actual !== DOCUMENT_IDS[role]) problems.push(`${DEMO_ACCOUNTS[role].username} is user ${actual}, not ${DOCUMENT_IDS[role]}`);
  }
  const first = context.events?.[0];
  if (first && first.eventId !== DOCUMENT_IDS.event) problems.push(`${first.name} is event ${first.eventId}, not ${DOCUMENT_IDS.event}`);
  if (first && first.status && first.status !== 'UPCOMING') problems.push(`${first.name} is ${first.status}, not UPCOMING (its dates have passed)`);
  if (!problems.length) return;
  context.warnings.push(...problems);
  log(
    [
      "!! Demo data: the document's walkthrough will not work as printed on this database:",
      ...problems.map((p) => `!!   ${p}`),
      '!! The database was not fresh (data from before the demo, or from an older version of it).',
      '!! Use the ids above in the requests, or stop npm start, delete .data/ and start again for a fresh database.',
    ].join('\n'),
  );
}

// ---------------------------------------------------------------------------------------------
// Catalog and seat plans

/**
 * The venues and events of the README's walkthroughs, and a few more.
 * "Rock Concert 2025" is the first UPCOMING CONCERT in New York and is created first, so on an
 * empty catalog it is event 1 at venue 1 and the walkthrough's search answers as the README shows. Each
 * event is created with its seat layout, in one call: the catalog hands the layout to seating.
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

/**
 * Events, dated relative to the day the demo is loaded (`inDays` from today, at `at` UTC, lasting
 * `hours`): a new event cannot be created in the past, and one whose dates pass becomes ONGOING,
 * then COMPLETED. Rock Concert 2025 is the first of the New York events, as step 3 of the
 * walkthrough shows.
 */
export const DEMO_EVENTS = Object.freeze([
  { venue: 'Madison Square Garden', name: 'Rock Concert 2025', description: 'Annual rock music festival featuring top artists', event_type: 'CONCERT', inDays: 30, at: '19:00', hours: 4, base_price: 75.0, layout: THREE_TIERS },
  { venue: 'Wembley Stadium', name: 'Champions League Final', description: 'The final of the European club championship', event_type: 'SPORTS', inDays: 45, at: '20:00', hours: 2.5, base_price: 120.0, layout: STADIUM },
  { venue: 'Wembley Stadium', name: 'Summer Stadium Tour 2027', description: 'Open-air concert with special guests', event_type: 'CONCERT', inDays: 200, at: '18:00', hours: 4.5, base_price: 95.0, layout: STADIUM },
  { venue: 'Madison Square Garden', name: 'Knicks vs Celtics', description: 'Regular-season basketball', event_type: 'SPORTS', inDays: 50, at: '00:30', hours: 2.5, base_price: 110.0, layout: THREE_TIERS },
  { venue: 'Madison Square Garden', name: 'A Christmas Carol', description: 'The holiday classic on stage', event_type: 'THEATER', inDays: 40, at: '19:00', hours: 2.5, base_price: 65.0, layout: HALL },
  { venue: 'Moscone Center', name: 'Swan Lake', description: 'Ballet in four acts', event_type: 'THEATER', inDays: 70, at: '04:00', hours: 2.5, base_price: 85.5, layout: HALL },
  { venue: 'Moscone Center', name: 'TechConf 2027', description: 'Three days of talks and workshops on cloud software', event_type: 'CONFERENCE', inDays: 100, at: '16:00', hours: 57, base_price: 499.0, layout: HALL },
  { venue: 'Moscone Center', name: 'AI Summit 2027', description: 'Applied machine learning in production', event_type: 'CONFERENCE', inDays: 280, at: '16:00', hours: 8, base_price: 299.0, layout: HALL },
]);

/** start_date and end_date of a demo event, counted from today (UTC). */
export function demoEventDates({ inDays, at, hours }, now = new Date()) {
  const [h, m] = at.split(':').map(Number);
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + inDays, h, m));
  const end = new Date(start.getTime() + hours * 3_600_000);
  const iso = (d) => d.toISOString().replace('.000Z', 'Z');
  return { start_date: iso(start), end_date: iso(end) };
}

/**
 * Venues and events, created through the catalog API; those that exist (same name and place) are
 * kept. A new event is created with its seat_layout (one call; the catalog hands the layout to
 * seating), an existing one gets its seat plan from seating's bulk API as before (200 when it has it).
 */
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
  for (const { venue, layout, inDays, at, hours, ...event } of DEMO_EVENTS) {
    const venue_id = venueIds[venue];
    const found = await requestJson('GET', `${urls.catalog}/v1/events/search?q=${encodeURIComponent(event.name)}&limit=100`);
    if (found.status !== 200 || !Array.isArray(found.body?.events)) throw unexpected(found, `search for ${event.name} (200)`);
    const existing = found.body.events.find((e) => e.name === event.name && e.venue_id === venue_id);
    if (existing) {
      await ensureSeatPlan(urls, token, existing.event_id, event.name, layout);
      context.events.push({ eventId: existing.event_id, venueId: venue_id, name: event.name, status: existing.status, layout });
      continue;
    }
    const body = { venue_id, ...event, ...demoEventDates({ inDays, at, hours }), seat_layout: layout };
    const res = await requestJson('POST', `${urls.catalog}/v1/events`, body, token);
    if (res.status !== 201) throw unexpected(res, `create the event ${event.name} with its seat layout (201)`);
    context.events.push({ eventId: res.body.event_id, venueId: venue_id, name: event.name, status: res.body.status, layout });
    createdEvents++;
  }
  // The seat plans of new events arrive at seating right after each commit: wait for them, so
  // whoever follows npm start's banner can book at once.
  for (const event of context.events) await waitForSeatPlan(urls, event);
  if (createdVenues || createdEvents) log(`Demo data: created ${createdVenues} venue(s) and ${createdEvents} event(s) with their seat plans.`);
}

async function ensureSeatPlan(urls, token, eventId, name, layout) {
  const res = await requestJson('POST', `${urls.seating}/v1/seats/bulk`, { eventId, sections: layout }, token);
  if (res.status !== 201 && res.status !== 200) throw unexpected(res, `create the seat plan of ${name} (201 or 200)`);
}

async function waitForSeatPlan(urls, event, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await requestJson('GET', `${urls.seating}/v1/seats/availability?eventId=${event.eventId}`);
    if (res.status === 200) return;
    if (res.status !== 404 || Date.now() > deadline) throw unexpected(res, `find the seat plan of ${event.name} at seating (200; the catalog hands it over after creating the event)`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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
