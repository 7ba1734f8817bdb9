#!/usr/bin/env node
// npm run bench:flash-sale — a whole flash sale through all six services, with two yardsticks
// measured in the same run on the same machine. See bench/README.md for what each figure means.
//
//  1. The stack: the six services as processes (e2e/src/stack.ts, as npm start runs them) with
//     NODE_ENV=production and LOG_LEVEL=warn, an SMTP sink, on an embedded PostgreSQL in a temp
//     dir (or on DATABASE_URL's server, in fresh databases named bench_<tag>_<service db>).
//  2. Arena-shaped events (sections of rows of different lengths, aisles) through the public APIs.
//  3. Buyers prepared off the clock: imported through the user service's admin import (no
//     password, so no bcrypt), their access tokens signed with the JWT secret this script gave
//     the services, with the claims the user service's login signs.
//  4. The sale: C buyers loop best-available hold → order → charge (5 % declined once) → wait
//     for CONFIRMED, until sold out; R seat-map readers follow the live feed.
//  5. Yardsticks on fresh events of the same shape: exact-seat-id holds through the seating
//     service, the bare node:http + pg conditional UPDATE server, and best-available holds alone.
//  6. Figures, targets with PASS/FAIL, invariants from every database; JSON, Markdown and an SVG
//     chart in bench/results/. Exit code 1 only when it could not run or an invariant broke.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { freePort } from '../scripts/lib/common.mjs';
import { ensureDatabases } from '../scripts/lib/embedded-pg.mjs';
import { sellOutByExactIds } from './lib/exact-holds.mjs';
import { findFalseSoldOuts } from './lib/false-sold-out.mjs';
import { errorCode, keepAliveAgent, request, sleep } from './lib/http.mjs';
import { benchNodeArgs } from './lib/node-args.mjs';
import { temporaryPostgres } from './lib/postgres.mjs';
import { isPassRefusal, openSaleQueue, takeTurn } from './lib/queue-turn.mjs';
import { STATEMENT_SETTINGS, resetStatements, statementsWanted, writeStatements } from './lib/statements.mjs';
import { cpuSeconds, listenOverflows, memoryMb, postgresPids } from './lib/proc.mjs';
import { adjacentRuns, arenaPlan, planSeats, rectangularPlan } from './lib/seat-plan.mjs';
import { queuedMarkdown, runQueuedSale } from './lib/queued-sale.mjs';
import { Timeline, ratio, round1, summarize, tally } from './lib/stats.mjs';
import { lineChartSvg } from './lib/svg-chart.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const int = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}=${JSON.stringify(raw)} is not a whole number`);
  return n;
};
const OPT = {
  seats: int('BENCH_SEATS', 10_000),
  buyers: int('BENCH_BUYERS', 500),
  readers: int('BENCH_READERS', 1000),
  saleSeconds: int('BENCH_SALE_SECONDS', 90),
  // The sale behind the seating service's waiting room (buyers queue, admitted ones buy): 0 turns it off.
  saleQueue: int('BENCH_SALE_QUEUE', 1) === 1,
  baselineSeconds: int('BENCH_BASELINE_SECONDS', 20),
  settleSeconds: int('BENCH_SETTLE_SECONDS', 20),
  declinePercent: int('BENCH_DECLINE_PERCENT', 5),
  pollMs: int('BENCH_POLL_MS', 100),
  readerIntervalMs: int('BENCH_READER_INTERVAL_MS', 1000),
  dbPool: int('BENCH_DB_POOL', 10),
  maxSeconds: int('BENCH_MAX_SECONDS', 285),
  // The `queued` phase (not a default): a sale through the waiting room (bench/lib/queued-sale.mjs).
  queueBuyers: int('BENCH_QUEUE_BUYERS', 5000),
  queueSeats: int('BENCH_QUEUE_SEATS', 1000),
  queueSeconds: int('BENCH_QUEUE_SECONDS', 120),
  phases: (process.env.BENCH_PHASES ?? 'sale,exact,bare,best').split(',').map((s) => s.trim()).filter(Boolean),
};
const RESULTS_DIR = path.join(root, 'bench', 'results');

const runStarted = Date.now();
const cleanups = [];
const notes = [];
const note = (text) => {
  notes.push(text);
  console.log(`  NOTE: ${text}`);
};

main().then(
  (code) => finish(code),
  (e) => {
    console.error(`\nflash-sale benchmark could not run: ${e?.stack ?? e}`);
    finish(2);
  },
);
process.on('SIGINT', () => finish(130));

/** Seconds left of the whole run's budget (BENCH_MAX_SECONDS), keeping `reserve` seconds for what must follow. */
const budgetLeft = (reserve = 0) => OPT.maxSeconds - (Date.now() - runStarted) / 1000 - reserve;
/** Whether a yardstick still fits in the budget; notes it when it does not. */
function fits(phase) {
  // Room for this yardstick and for a sale of at least 60 s after it.
  if (budgetLeft(OPT.baselineSeconds + 15 + (OPT.phases.includes('sale') ? 60 + OPT.settleSeconds + 45 : 0)) > 0) return true;
  note(`${phase} skipped: the run's ${OPT.maxSeconds} s budget (BENCH_MAX_SECONDS) is spent`);
  return false;
}

async function main() {
  const startedAt = runStarted;
  console.log(`Flash sale: ${OPT.seats} seats, ${OPT.buyers} buyers, ${OPT.readers} seat-map readers, phases ${OPT.phases.join(', ')}`);
  const db = await openDatabaseServer();
  const stack = await startServices(db);
  const ctx = { db, stack, urls: stack.urls, tag: randomBytes(3).toString('hex'), statements: statementsWanted() && Boolean(db.dataDir) };
  ctx.admin = await adminToken(ctx);
  ctx.venueId = await createVenue(ctx);
  const tokens = await prepareBuyers(ctx);

  const results = { sale: null, exact: null, bare: null, best: null, queued: null };
  const minted = await userTokenSigner(ctx);
  // A yardstick that fails is reported as missing; the sale's figures are still written.
  const attempt = async (name, fn) => {
    try {
      await drain(ctx);
      return await fn();
    } catch (e) {
      note(`${name} failed: ${e.message}`);
      return null;
    }
  };
  if (OPT.phases.includes('exact') && fits('the exact-id yardstick')) await attempt('the exact-id yardstick', async () => {
    const event = await createEvent(ctx, 'exact');
    console.log(`\nYardstick (a): exact-seat-id holds through the seating service, ${OPT.buyers} buyers, ${event.seatIds.length} seats…`);
    results.exact = await sellOutByExactIds({
      url: ctx.urls.seating,
      pathname: '/v1/seats/reserve',
      eventId: event.eventId,
      runs: event.runs.map((r) => r.seatIds),
      concurrency: OPT.buyers,
      headersFor: (userId) => ({ authorization: `Bearer ${minted(userId)}` }),
      firstUserId: 1_000_000, // a new buyer per request, none of them a sale buyer
      availableSeats: () => availableSeats(ctx, event.eventId),
      serverPid: stack.services.seating.process.pid,
      postgresPids: () => pgPids(ctx),
      deadlineMs: Date.now() + OPT.baselineSeconds * 1000,
    });
    results.exact.invariant = await holdsInvariant(ctx, event, results.exact);
    printHolds('exact ids', results.exact);
  });
  if (OPT.phases.includes('bare') && fits('the bare yardstick')) await attempt('the bare yardstick', async () => {
    const event = await createEvent(ctx, 'bare');
    const server = await startBareServer(ctx);
    console.log(`\nYardstick (b): bare node:http + pg conditional UPDATE, ${OPT.buyers} buyers, ${event.seatIds.length} seats…`);
    results.bare = await sellOutByExactIds({
      url: server.url,
      pathname: '/reserve',
      eventId: event.eventId,
      runs: event.runs.map((r) => r.seatIds),
      concurrency: OPT.buyers,
      headersFor: () => ({}),
      availableSeats: () => availableSeats(ctx, event.eventId),
      serverPid: server.child.pid,
      postgresPids: () => pgPids(ctx),
      deadlineMs: Date.now() + OPT.baselineSeconds * 1000,
    });
    await server.stop();
    results.bare.invariant = await holdsInvariant(ctx, event, results.bare);
    printHolds('bare', results.bare);
  });
  if (OPT.phases.includes('best') && fits('best-available holds alone')) await attempt('best-available holds alone', async () => {
    const event = await createEvent(ctx, 'best');
    console.log(`\nBest-available holds alone (no order, no payment), ${OPT.buyers} buyers, ${event.seatIds.length} seats…`);
    results.best = await holdsOnlyBestAvailable(ctx, event, minted);
    printHolds('best available', results.best);
  });

  if (OPT.phases.includes('queued') && fits('the queued sale')) await attempt('the queued sale', async () => {
    const event = await createEvent(ctx, 'queued', OPT.queueSeats);
    const buyers = await prepareBuyers(ctx, OPT.queueBuyers, 'q');
    const seconds = Math.max(30, Math.min(OPT.queueSeconds, budgetLeft(OPT.phases.includes('sale') ? 60 + OPT.settleSeconds + 45 : 15)));
    results.queued = await runQueuedSale({ urls: ctx.urls, admin: ctx.admin, eventId: event.eventId, seats: event.seatIds.length, tokens: buyers, deadlineMs: Date.now() + seconds * 1000, pollMs: OPT.pollMs });
  });

  let invariants = null;
  // The sale last: its readers can leave the seating service busy for a while, which must not
  // count against the yardsticks.
  if (OPT.phases.includes('sale')) {
    await drain(ctx);
    const event = await createEvent(ctx, 'sale');
    if (ctx.statements) await resetStatements(ctx.db.url);
    results.sale = await runSale(ctx, event, tokens);
    if (ctx.statements) {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const { file, perDb } = await writeStatements(ctx.db.url, { bookings: results.sale.bookings, stamp });
      results.sale.statements = perDb;
      console.log(`PostgreSQL statements over the sale: ${path.relative(root, file)}`);
    }
    await settle(ctx, event);
    invariants = await checkInvariants(ctx, event, results.sale);
    results.sale.falseSoldOuts = invariants.falseSoldOuts;
    results.sale.unsoldSeats = invariants.unsoldSeats;
  }
  const services = serviceFigures(stack);
  saveServiceLogs(stack);
  const summary = report({ results, invariants, services, seconds: round1((Date.now() - startedAt) / 1000), ctx });
  const broken = (invariants && !invariants.ok) || [results.exact, results.bare].some((r) => r && !r.invariant.ok);
  if (broken) console.error('\nAN INVARIANT IS BROKEN (see above): exit code 1.');
  return broken ? 1 : summary ? 0 : 2;
}

// ---------------------------------------------------------------------------------------------
// The stack

async function openDatabaseServer() {
  if (process.env.DATABASE_URL) {
    console.log('Using the PostgreSQL server of DATABASE_URL (fresh databases bench_<tag>_*, dropped afterwards).');
    return { url: process.env.DATABASE_URL, dataDir: null };
  }
  const server = await temporaryPostgres('etsr-flash-sale-', statementsWanted() ? STATEMENT_SETTINGS : {});
  cleanups.push(() => server.stop());
  return { url: server.url, dataDir: server.dataDir };
}

async function startServices(db) {
  const stackJs = path.join(root, 'e2e/dist/src/stack.js');
  if (!fs.existsSync(stackJs)) throw new Error(`${path.relative(root, stackJs)} is missing: build first (npm run bench:flash-sale does)`);
  const mod = await import(pathToFileURL(stackJs).href);
  const startStack = mod.startStack ?? mod.default?.startStack;
  process.env.TEST_DATABASE_URL = db.url;
  const adminPassword = `Bench-${randomBytes(9).toString('base64url')}1a`;
  console.log('Starting the six services (NODE_ENV=production, LOG_LEVEL=warn, SMTP sink)…');
  const t0 = Date.now();
  const stack = await startStack({
    databasePrefix: 'bench',
    parallel: true,
    // BENCH_NODE_ARGS="--cpu-prof" profiles every service, into bench/results/diagnostics/ (bench/README.md).
    nodeArgs: benchNodeArgs(),
    env: {
      '*': { NODE_ENV: 'production', LOG_LEVEL: 'warn' },
      user: { ADMIN_USERNAME: 'admin', ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: adminPassword },
      order: { TICKET_SIGNING_KEY: randomBytes(32).toString('hex') },
    },
  });
  stack.adminPassword = adminPassword;
  cleanups.push(() => stack.stop());
  console.log(`  ${Object.keys(stack.urls).join(', ')} up in ${round1((Date.now() - t0) / 1000)} s`);
  return stack;
}

const pgPids = (ctx) => (ctx.db.dataDir ? postgresPids(ctx.db.dataDir) : []);
/** CPU seconds each service has used so far. */
const serviceCpu = (ctx) => Object.fromEntries(Object.entries(ctx.stack.services).map(([name, s]) => [name, cpuSeconds([s.process?.pid].filter(Boolean))]));

async function sql(ctx, service, text, params = []) {
  const client = new pg.Client({ connectionString: ctx.stack.services[service].databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

async function api(method, url, { token, body, headers = {} } = {}) {
  return request(undefined, url, { method, body, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }, timeoutMs: 60_000 });
}

/** Waits (up to 30 s) until the seating service answers its health check quickly again: a phase must not inherit the last one's backlog. */
async function drain(ctx) {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const t0 = Date.now();
    const res = await request(undefined, `${ctx.urls.seating}/actuator/health`, { timeoutMs: 5000 });
    if (res.status === 200 && Date.now() - t0 < 200) return;
    await sleep(500);
  }
}

function expect(res, statuses, what) {
  if (!statuses.includes(res.status)) throw new Error(`${what}: ${res.status} ${(res.text ?? res.error ?? '').slice(0, 300)}`);
  return res.json;
}

async function adminToken(ctx) {
  const res = await api('POST', `${ctx.urls.user}/v1/users/login`, { body: { username: 'admin', password: ctx.stack.adminPassword } });
  return expect(res, [200], 'admin login').accessToken;
}

async function createVenue(ctx) {
  const body = {
    name: `Bench Arena ${ctx.tag}`, address: '1 Benchmark Way', city: 'Testville', country: 'Nowhere', postal_code: '00000',
    capacity: Math.max(OPT.seats, OPT.phases.includes('queued') ? OPT.queueSeats : 0, 1), venue_type: 'ARENA', facilities: {},
  };
  return expect(await api('POST', `${ctx.urls.catalog}/v1/venues`, { token: ctx.admin, body }), [201], 'create the venue').venue_id;
}

let shapedAccepted;
/** A catalog event and its arena-shaped seat plan (rectangular when the seating service does not take shaped sections). */
async function createEvent(ctx, kind, seats = OPT.seats) {
  const plan = arenaPlan(seats);
  const event = expect(
    await api('POST', `${ctx.urls.catalog}/v1/events`, {
      token: ctx.admin,
      body: {
        venue_id: ctx.venueId, name: `Flash sale ${kind} ${ctx.tag}`, description: 'Benchmark event', event_type: 'CONCERT',
        start_date: '2031-06-01T19:00:00Z', end_date: '2031-06-01T23:00:00Z', base_price: 80, total_seats: seats,
      },
    }),
    [201],
    `create the ${kind} event`,
  );
  const eventId = event.event_id;
  let used = plan;
  if (shapedAccepted !== false) {
    const res = await api('POST', `${ctx.urls.seating}/v1/seats/bulk`, { token: ctx.admin, body: { eventId, sections: plan } });
    if (res.status === 400 && shapedAccepted === undefined) {
      shapedAccepted = false;
      note(`the seating service refused the shaped plan (${errorCode(res)}: ${String(res.json?.message ?? '').slice(0, 100)}…): rectangular sections of the same sizes are used instead, without aisles`);
    } else {
      expect(res, [201, 200], `seat plan of the ${kind} event`);
      shapedAccepted = true;
    }
  }
  if (shapedAccepted === false) {
    used = rectangularPlan(plan);
    expect(await api('POST', `${ctx.urls.seating}/v1/seats/bulk`, { token: ctx.admin, body: { eventId, sections: used } }), [201, 200], `rectangular seat plan of the ${kind} event`);
  }
  const map = expect(await api('GET', `${ctx.urls.seating}/v1/seats?eventId=${eventId}`), [200], 'seat map');
  const runs = adjacentRuns(map, shapedAccepted ? plan : null);
  return { eventId, plan: used, shaped: shapedAccepted, runs, seatIds: runs.flatMap((r) => r.seatIds) };
}

/**
 * Buyers are real accounts of the user service, created through its admin import (accounts without
 * a password: no bcrypt at all), and their access tokens are signed here with the JWT secret this
 * script gave the services, with exactly the claims the user service's login signs. bcrypt (cost
 * 10, pure JS) at 2 × C logins would cost minutes of this machine's two cores, all before the
 * sale; it is never on the sale's clock either way.
 */
async function prepareBuyers(ctx, count = OPT.buyers, group = '') {
  const t0 = Date.now();
  const sign = await userTokenSigner(ctx);
  const buyers = [];
  for (let from = 0; from < count; from += 500) {
    const users = Array.from({ length: Math.min(500, count - from) }, (_, k) => {
      const i = `${group}${from + k}`;
      return { externalRef: `flash-sale:${ctx.tag}:${i}`, email: `fsb-${ctx.tag}-${i}@example.com`, username: `fsb_${ctx.tag}_${i}`, firstName: 'Buyer', lastName: String(i), createdAt: new Date().toISOString() };
    });
    const result = expect(await api('POST', `${ctx.urls.user}/internal/v1/import/users`, { token: ctx.admin, body: { users } }), [200], 'import the buyers');
    for (const [k, u] of result.users.entries()) {
      if (!u.userId) throw new Error(`buyer ${users[k].username} not created: ${u.outcome} ${u.error ?? ''}`);
      buyers.push(sign(u.userId, u.username, users[k].email));
    }
  }
  console.log(`Prepared ${buyers.length} buyers in ${round1((Date.now() - t0) / 1000)} s (imported accounts, tokens signed off the clock).`);
  return buyers;
}

async function userTokenSigner(ctx) {
  const { TokenService } = await import(pathToFileURL(path.join(root, 'libs/platform/dist/src/auth/token-service.js')).href);
  const tokens = new TokenService(ctx.stack.secrets.JWT_SECRET, ctx.stack.secrets.SERVICE_SECRET, 'user');
  return (userId, username = `bench${userId}`, email = `bench${userId}@example.com`) =>
    tokens.signAccessToken({ userId, username, role: 'USER', email }, 3600);
}

async function availableSeats(ctx, eventId) {
  const rows = await sql(ctx, 'seating', `SELECT seat_id FROM seats WHERE event_id = $1 AND (status = 'AVAILABLE' OR (status = 'RESERVED' AND reservation_expiry < now())) ORDER BY seat_id`, [eventId]);
  return rows.map((r) => Number(r.seat_id));
}

async function startBareServer(ctx) {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, 'bench/reserve-baseline-server.mjs')], {
    env: { PATH: process.env.PATH, BASELINE: 'ceiling', DATABASE_URL: ctx.stack.services.seating.databaseUrl, DB_POOL_SIZE: String(OPT.dbPool), PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
  cleanups.push(stop);
  const deadline = Date.now() + 20_000;
  while (!output.includes('listening')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the bare server did not start:\n${output}`);
    await sleep(100);
  }
  return { url: `http://127.0.0.1:${port}`, child, stop };
}

// ---------------------------------------------------------------------------------------------
// The sale

async function runSale(ctx, event, tokens) {
  const { eventId } = event;
  const seatingUrl = ctx.urls.seating;
  const agent = keepAliveAgent(OPT.buyers * 2);
  const metricsBefore = await scrapeMetrics(ctx);
  const readers = await startReaders(ctx, event);
  const cpuBefore = cpuSeconds(pgPids(ctx));
  const serviceCpuBefore = serviceCpu(ctx);
  const benchCpuBefore = process.cpuUsage();
  const overflowsBefore = listenOverflows();
  const started = Date.now();
  const saleSeconds = Math.max(10, Math.min(OPT.saleSeconds, budgetLeft(OPT.settleSeconds + 45)));
  if (saleSeconds < OPT.saleSeconds) note(`the sale's deadline is ${Math.round(saleSeconds)} s, not ${OPT.saleSeconds} s, to keep the run within ${OPT.maxSeconds} s`);
  const deadline = started + saleSeconds * 1000;
  // Purchases under way at the deadline may finish until then; later, buyers give up.
  const hardDeadline = deadline + 20_000;
  const readersTimer = setTimeout(() => readers.stop(), saleSeconds * 1000);
  const timeline = new Timeline(started);
  const lat = { queue: [], hold: [], order: [], charge: [], confirm: [], clickToConfirmed: [], joinToConfirmed: [] };
  const queued = OPT.saleQueue && (await openSaleQueue(seatingUrl, ctx.admin, eventId));
  if (OPT.saleQueue && !queued) note('the seating service has no waiting room (PUT /v1/seats/queues/{eventId} refused): the sale runs without one');
  const codes409 = [];
  const status5xx = [];
  const refusals = [];
  const outcomes = [];
  let holds = 0;
  let seatsHeld = 0;
  let lastHoldAt = 0;
  let bookings = 0;
  let seatsBooked = 0;
  let declines = 0;
  let timedOut = false;
  let finishedBuyers = 0;
  console.log(`\nThe sale: event ${eventId}, ${event.seatIds.length} seats${event.shaped ? ' (arena plan with aisles)' : ' (rectangular plan)'}, ${tokens.length} buyers, deadline ${Math.round(saleSeconds)} s…`);

  const call = async (method, url, token, body, headers = {}) => {
    const res = await request(agent, url, { method, body, headers: { authorization: `Bearer ${token}`, ...headers }, timeoutMs: 15_000 });
    if (res.status === 409) codes409.push(errorCode(res));
    if (res.status >= 500) status5xx.push(`${method} ${new URL(url).pathname.replace(/\/[0-9a-f-]{36}$/, '/{id}')} ${res.status} ${errorCode(res)}`);
    return res;
  };
  const progress = setInterval(() => {
    const s = Math.round((Date.now() - started) / 1000);
    console.log(`  ${s} s: ${holds} holds (${seatsHeld} seats), ${bookings} CONFIRMED (${seatsBooked} seats), ${tokens.length - finishedBuyers} buyers still buying, readers ${readers.describe()}`);
  }, 10_000);

  async function buyer(token, index) {
    let declineNext = index < Math.round((tokens.length * OPT.declinePercent) / 100);
    let want = 1 + Math.floor(Math.random() * 4);
    for (;;) {
      // 0. With a waiting room: queue (again, after each purchase) until admitted with a pass.
      const joined = Date.now();
      let pass;
      const turn = async () => {
        const q0 = Date.now();
        const t = await takeTurn({ agent, seatingUrl, eventId, token, deadline, onServerError: (what, res) => status5xx.push(`${what === 'join' ? 'POST' : 'GET'} /v1/seats/queues/{eventId}/${what} ${res.status} ${errorCode(res)}`) });
        lat.queue.push(Date.now() - q0);
        pass = t.pass;
        return t.soldOut ? 'sold out (waiting room)' : t.deadline ? 'deadline' : t.refused ? `queue refused: ${t.refused}` : undefined;
      };
      if (queued) {
        const end = await turn();
        if (end === 'deadline') timedOut = true;
        if (end) return end;
      }
      // 1. Hold: the first request (the buyer's click, once admitted) until seats are held, retries included.
      const t0 = Date.now();
      let hold;
      while (!hold) {
        if (Date.now() > deadline) {
          timedOut = true;
          return 'deadline';
        }
        const res = await call('POST', `${seatingUrl}/v1/seats/reserve`, token, { eventId, quantity: want }, pass ? { 'x-queue-pass': pass } : {});
        const at = Date.now();
        if (res.status === 201) {
          hold = res.json;
          break;
        }
        if (queued && isPassRefusal(res)) {
          // The turn lapsed: queue again.
          const end = await turn();
          if (end === 'deadline') timedOut = true;
          if (end) return end;
          continue;
        }
        const code = errorCode(res);
        if (code === 'SOLD_OUT' || code === 'NOT_ENOUGH_SEATS') {
          refusals.push({ atMs: at, quantity: want });
          const largest = res.json?.details?.largestBlock;
          if (typeof largest === 'number') {
            if (largest === 0) return 'sold out';
            want = Math.min(want - 1, largest) || 1;
          } else {
            // A seating service without details: ask for one seat fewer, down to one.
            if (want === 1) return 'sold out';
            want--;
          }
        } else if (code === 'SEATS_TAKEN' || code === 'SEAT_UNAVAILABLE') {
          await sleep(Math.min(5, Number(res.headers?.['retry-after'] ?? 0)) * 1000 || 20);
        } else {
          await sleep(200); // 5xx, no answer, a cap: try again shortly
        }
      }
      const held = Date.now();
      if (held > deadline) {
        // Too late to buy within the run: give the seats back, as a buyer who leaves would.
        await call('DELETE', `${seatingUrl}/v1/seats/reservation/${hold.reservationId}`, token);
        timedOut = true;
        return 'deadline';
      }
      holds++;
      seatsHeld += hold.seats?.length ?? want;
      lastHoldAt = held;
      lat.hold.push(held - t0);
      timeline.count('holds', held);
      timeline.sample('hold', held, held - t0);

      // 2. The order, with retries of the same Idempotency-Key for answers that allow them.
      const orderKey = randomUUID();
      let order;
      for (let attempt = 0; attempt < 10 && !order && Date.now() < hardDeadline; attempt++) {
        const res = await call('POST', `${ctx.urls.order}/v1/orders`, token, { eventId, reservationId: hold.reservationId }, { 'idempotency-key': orderKey });
        if (res.status === 201) order = res.json;
        else if (res.status >= 500 || res.status === 0 || errorCode(res) === 'REQUEST_IN_PROGRESS') await sleep(200);
        else break;
      }
      const ordered = Date.now();
      lat.order.push(ordered - held);
      if (!order) {
        outcomes.push('order refused');
        await call('DELETE', `${seatingUrl}/v1/seats/reservation/${hold.reservationId}`, token);
        continue;
      }

      // 3. Payment: some buyers are declined once, then pay with another card.
      const pay = async (method) => {
        const key = randomUUID();
        for (let attempt = 0; attempt < 20 && Date.now() < hardDeadline; attempt++) {
          const res = await call('POST', `${ctx.urls.payment}/v1/charge`, token, { merchant_order_id: order.orderId, amount_cents: order.totalCents, currency: order.currency, payment_method: method }, { 'idempotency-key': key });
          if (res.status === 201) return res.json;
          if (res.status >= 500 || res.status === 0 || ['REQUEST_IN_PROGRESS', 'PAYMENT_IN_PROGRESS'].includes(errorCode(res))) await sleep(200);
          else return undefined;
        }
        return undefined;
      };
      let paid;
      if (declineNext) {
        declineNext = false;
        const declined = await pay('TEST_DECLINE');
        if (declined?.status === 'FAILED') declines++;
      }
      paid = await pay('UPI');
      const charged = Date.now();
      lat.charge.push(charged - ordered);
      if (paid?.status !== 'SUCCESS') {
        outcomes.push('payment refused');
        await call('POST', `${ctx.urls.order}/v1/orders/${order.orderId}/cancel`, token);
        continue;
      }

      // 4. Wait for the saga: CONFIRMED (tickets issued). As a page does: the order with its ETag,
      // then the same request with If-None-Match and Prefer: wait, answered when the order changes
      // (a server without it answers at once: then a pause of BENCH_POLL_MS keeps it from spinning).
      let final;
      let etag;
      const waitUntil = Math.min(Date.now() + 60_000, hardDeadline);
      while (!final && Date.now() < waitUntil) {
        const wait = Math.max(1, Math.min(10, Math.floor((waitUntil - Date.now()) / 1000)));
        const asked = Date.now();
        const res = await call('GET', `${ctx.urls.order}/v1/orders/${order.orderId}`, token, undefined, etag ? { 'if-none-match': etag, prefer: `wait=${wait}` } : {});
        if (res.headers?.etag) etag = res.headers.etag;
        if (res.status === 200 && ['CONFIRMED', 'REFUNDED', 'CANCELLED'].includes(res.json.status)) final = res.json.status;
        else if (!res.headers?.['preference-applied'] || Date.now() - asked < OPT.pollMs) await sleep(OPT.pollMs);
      }
      const confirmed = Date.now();
      lat.confirm.push(confirmed - charged);
      if (final === 'CONFIRMED') {
        bookings++;
        seatsBooked += order.items?.length ?? 0;
        lat.clickToConfirmed.push(confirmed - t0);
        lat.joinToConfirmed.push(confirmed - joined);
        timeline.count('bookings', confirmed);
        timeline.sample('clickToConfirmed', confirmed, confirmed - t0);
      } else outcomes.push(final ? `order ${final}` : 'not seen CONFIRMED before the deadline');
      want = 1 + Math.floor(Math.random() * 4);
    }
  }

  const ends = await Promise.all(
    tokens.map((token, i) =>
      buyer(token, i).then(
        (why) => (finishedBuyers++, why),
        (e) => (finishedBuyers++, `crashed: ${e.message}`),
      ),
    ),
  );
  const ended = Date.now();
  clearInterval(progress);
  const postgresCpu = ctx.db.dataDir ? round1(cpuSeconds(pgPids(ctx)) - cpuBefore) : null;
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const overflowsAfter = listenOverflows();
  const serviceCpuAfter = serviceCpu(ctx);
  // Where the two cores went during the sale: each service, PostgreSQL, and this load generator.
  const cpuSecondsBy = {
    ...Object.fromEntries(Object.entries(serviceCpuAfter).map(([name, s]) => [name, round1(s - serviceCpuBefore[name])])),
    postgres: postgresCpu,
    'load generator': round1((benchCpu.user + benchCpu.system) / 1e6),
  };
  clearTimeout(readersTimer);
  const readerFigures = await readers.stop();
  const metricsAfter = await scrapeMetrics(ctx);
  agent.destroy();
  const seconds = (ended - started) / 1000;
  const sale = {
    eventId,
    shapedPlan: event.shaped,
    seats: event.seatIds.length,
    buyers: tokens.length,
    queued,
    seconds: round1(seconds),
    timedOut,
    secondsToSellOut: null, // set from the database once the sale is settled
    secondsToLastHold: lastHoldAt ? round1((lastHoldAt - started) / 1000) : null,
    holds,
    seatsHeld,
    holdsPerSecond: round1(holds / seconds),
    bookings,
    seatsBooked,
    bookingsPerSecond: round1(bookings / seconds),
    declinedOnce: declines,
    latencyMs: Object.fromEntries(Object.entries(lat).map(([k, v]) => [k, summarize(v)])),
    conflicts: tally(codes409),
    serverErrors: { count: status5xx.length, byRequest: tally(status5xx) },
    otherOutcomes: tally(outcomes),
    buyerEnds: tally(ends),
    refusals: refusals.length,
    postgresCpuSeconds: postgresCpu,
    cpuSeconds: cpuSecondsBy,
    // Connection attempts the kernel dropped (a full accept queue): each costs its client a SYN retry, 1 s or more.
    listenOverflows: overflowsBefore == null || overflowsAfter == null ? null : overflowsAfter - overflowsBefore,
    readers: { ...readerFigures, mapQueries: mapQueryRate(metricsBefore, metricsAfter, eventId, seconds) },
    timeline: timeline.series(seconds),
    _refusals: refusals,
    _started: started,
  };
  console.log(
    `  ${holds} holds (${sale.holdsPerSecond}/s), ${bookings} CONFIRMED (${sale.bookingsPerSecond}/s), ${seatsBooked} seats booked in ${sale.seconds} s; ` +
      `hold p95 ${sale.latencyMs.hold.p95} ms, click-to-CONFIRMED p95 ${sale.latencyMs.clickToConfirmed.p95} ms; 409s ${JSON.stringify(sale.conflicts)}; 5xx ${status5xx.length}`,
  );
  return sale;
}

/** Best-available holds alone, no order after them: the allocator against the exact-id yardstick. */
async function holdsOnlyBestAvailable(ctx, event, minted) {
  const agent = keepAliveAgent(OPT.buyers);
  const started = Date.now();
  const deadline = started + OPT.baselineSeconds * 1000;
  const timeline = new Timeline(started);
  const latencies = [];
  const codes = [];
  let holds = 0;
  let seats = 0;
  let nextUser = 2_000_000;
  let timedOut = false;
  async function buyer() {
    for (;;) {
      // A new buyer for each hold (no per-user cap), token signed before the clock starts.
      const token = minted(nextUser++);
      let want = 1 + Math.floor(Math.random() * 4);
      const t0 = Date.now();
      for (;;) {
        if (Date.now() > deadline) return void (timedOut = true);
        const res = await request(agent, `${ctx.urls.seating}/v1/seats/reserve`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: { eventId: event.eventId, quantity: want } });
        if (res.status === 201) {
          const done = Date.now();
          holds++;
          seats += res.json.seats?.length ?? want;
          latencies.push(done - t0);
          timeline.count('holds', done);
          break;
        }
        const code = errorCode(res);
        codes.push(code);
        if (code === 'SOLD_OUT' || code === 'NOT_ENOUGH_SEATS') {
          const largest = res.json?.details?.largestBlock;
          if (typeof largest === 'number' ? largest === 0 : want === 1) return;
          want = typeof largest === 'number' ? Math.min(want - 1, largest) || 1 : want - 1;
        } else if (code === 'SEATS_TAKEN' || code === 'SEAT_UNAVAILABLE') {
          await sleep(Math.min(5, Number(res.headers?.['retry-after'] ?? 0)) * 1000 || 20);
        } else await sleep(200);
      }
    }
  }
  await Promise.all(Array.from({ length: OPT.buyers }, buyer));
  agent.destroy();
  const seconds = (Date.now() - started) / 1000;
  const left = (await availableSeats(ctx, event.eventId)).length;
  return {
    holdsPerSecond: Math.round(holds / seconds),
    latencyMs: summarize(latencies),
    successes: holds,
    seatsSold: seats,
    seatsLeft: left,
    conflicts: tally(codes),
    seconds: round1(seconds),
    timedOut,
    timeline: timeline.series(seconds),
  };
}

// ---------------------------------------------------------------------------------------------
// Seat-map readers

async function startReaders(ctx, event) {
  const count = OPT.readers;
  const base = `${ctx.urls.seating}/v1/seats`;
  const mapAgent = keepAliveAgent(Math.max(1, count));
  const statuses = [];
  const latencies = [];
  let bytes = 0;
  let messages = 0;
  let reconnects = 0;
  let stopped = false;
  let stopping;
  const streams = new Set();
  const streamStatuses = [];
  const timers = new Set();

  // Is there a live feed? One probe decides for all readers.
  let mode = 'none';
  if (count > 0) {
    const probe = await new Promise((resolve) => {
      const req = http.get(`${base}/stream?eventId=${event.eventId}`, { headers: { accept: 'text/event-stream' } }, (res) => {
        resolve(res.statusCode);
        res.destroy();
      });
      req.on('error', () => resolve(0));
      req.setTimeout(5000, () => req.destroy());
    });
    mode = probe === 200 ? 'stream' : 'poll';
    if (mode === 'poll') note(`GET /v1/seats/stream answered ${probe || 'nothing'} (not a live feed), so each reader polls the seat map every ${OPT.readerIntervalMs} ms (conditional GET) instead`);
  }

  const fetchMap = async (reader) => {
    const t0 = Date.now();
    const res = await request(mapAgent, `${base}?eventId=${event.eventId}`, {
      headers: { 'accept-encoding': 'gzip, br', ...(reader.etag ? { 'if-none-match': reader.etag } : {}) },
      discardBody: true,
      timeoutMs: 10_000,
    });
    if (stopped && res.status === 0) return;
    latencies.push(Date.now() - t0);
    statuses.push(res.status);
    bytes += res.bytes ?? 0;
    if (res.headers?.etag) reader.etag = res.headers.etag;
    reader.lastFetch = Date.now();
  };

  // A page that follows the feed loads the map once, then applies the changes the feed sends; it
  // loads the map again only when the feed says its copy is stale (reload: a reconnect that missed
  // changes). That is what the feed is for: no polling while the sale runs.
  const follow = (reader) => {
    if (stopped) return;
    const headers = { accept: 'text/event-stream', ...(reader.lastEventId ? { 'last-event-id': reader.lastEventId } : {}) };
    const req = http.get(`${base}/stream?eventId=${event.eventId}`, { headers, agent: false }, (res) => {
      streamStatuses.push(res.statusCode);
      if (res.statusCode !== 200) {
        res.resume();
        return retry();
      }
      res.setEncoding('utf8');
      let pending = '';
      res.on('data', (chunk) => {
        pending += chunk;
        const parts = pending.split(/\n\n/);
        pending = parts.pop();
        for (const part of parts) {
          const id = /^id: (.*)$/m.exec(part)?.[1];
          const data = /^data: (.*)$/m.exec(part)?.[1];
          if (!data) continue;
          messages++;
          if (id) reader.lastEventId = id;
          // The first message after a reconnect says whether changes were missed: then load the map again.
          // (Only that one is parsed: a page would apply the others, which costs the load generator CPU it needs.)
          if (reader.reconnected) {
            reader.reconnected = false;
            if (JSON.parse(data).reload) void fetchMap(reader);
          }
        }
      });
      res.on('end', retry);
      res.on('error', () => undefined);
    });
    streams.add(req);
    req.on('error', retry);
    function retry() {
      streams.delete(req);
      if (stopped) return;
      reconnects++;
      reader.reconnected = true;
      const timer = setTimeout(() => follow(reader), 1000);
      timers.add(timer);
    }
  };

  const loops = [];
  for (let i = 0; i < count; i++) {
    const reader = { etag: undefined, lastFetch: 0, lastEventId: undefined, reconnected: false };
    // Every reader loads the map first (spread over a second, as page loads are), then follows.
    loops.push(
      (async () => {
        await sleep(Math.random() * 1000);
        await fetchMap(reader);
        if (mode === 'stream') return follow(reader);
        while (!stopped) {
          await sleep(OPT.readerIntervalMs);
          if (!stopped) await fetchMap(reader);
        }
      })(),
    );
  }
  if (count) console.log(`Started ${count} seat-map readers (${mode === 'stream' ? 'map once, then the live feed' : 'polling'}).`);
  const started = Date.now();
  return {
    describe: () => `${statuses.length} map GETs, ${messages} feed messages`,
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };
  async function stopAll() {
    {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      for (const req of streams) req.destroy();
      await Promise.race([Promise.all(loops), sleep(12_000)]);
      mapAgent.destroy();
      const seconds = (Date.now() - started) / 1000;
      return {
        readers: count,
        mode,
        mapRequests: statuses.length,
        mapRequestsPerSecond: round1(statuses.length / seconds),
        statuses: tally(statuses.map(String)),
        status503: statuses.filter((s) => s === 503).length + streamStatuses.filter((s) => s === 503).length,
        latencyMs: summarize(latencies),
        megabytesReceived: round1(bytes / 1e6),
        feedMessages: messages,
        feedStatuses: tally(streamStatuses.map(String)),
        feedReconnects: reconnects,
      };
    }
  }
}

async function scrapeMetrics(ctx) {
  const res = await request(undefined, `${ctx.urls.seating}/actuator/prometheus`, { timeoutMs: 10_000 });
  return res.status === 200 ? res.text : '';
}

/**
 * Seat-map queries per second for the sale's event, when the seating service counts them: a
 * counter whose name has seat_map or snapshot in it and ends in _total, with the event's event_id label or none.
 */
function mapQueryRate(before, after, eventId, seconds) {
  const pick = (text) => {
    const found = new Map();
    for (const line of text.split('\n')) {
      const m = /^([a-z_:]*(?:seat_?map|snapshot)[a-z_:]*_total)(\{[^}]*\})?\s+([0-9.e+-]+)/i.exec(line);
      if (!m) continue;
      const label = /event_id="(\d+)"/.exec(m[2] ?? '');
      if (label && Number(label[1]) !== eventId) continue;
      found.set(m[1], (found.get(m[1]) ?? 0) + Number(m[3]));
    }
    return found;
  };
  const a = pick(before);
  const b = pick(after);
  if (!b.size) return { exposed: false };
  const [metric, total] = [...b.entries()][0];
  const delta = total - (a.get(metric) ?? 0);
  return { exposed: true, metric, queries: delta, perSecond: round1(delta / seconds) };
}

// ---------------------------------------------------------------------------------------------
// After the sale: settle, then the invariants from every database

async function settle(ctx, event) {
  const t0 = Date.now();
  const deadline = t0 + OPT.settleSeconds * 1000;
  let open;
  do {
    open = await openWork(ctx, event.eventId);
    if (!Object.values(open).some((n) => n > 0)) break;
    await sleep(500);
  } while (Date.now() < deadline);
  console.log(`Settled in ${round1((Date.now() - t0) / 1000)} s: ${JSON.stringify(open)}`);
}

/** Work the saga still has in flight: orders not paid or not allocated yet, payments pending, outbox rows and notifications not delivered. */
async function openWork(ctx, eventId) {
  const [orders] = await sql(ctx, 'order', `SELECT count(*)::int AS n FROM orders WHERE event_id = $1 AND status IN ('PENDING', 'ALLOCATING')`, [eventId]);
  const [payments] = await sql(ctx, 'payment', `SELECT count(*)::int AS n FROM payments WHERE status = 'PENDING'`);
  const [notifications] = await sql(ctx, 'notification', `SELECT count(*)::int AS n FROM notifications WHERE status = 'PENDING'`);
  let outbox = 0;
  for (const service of Object.keys(ctx.stack.services)) {
    const [t] = await sql(ctx, service, `SELECT to_regclass('outbox') IS NOT NULL AS has`);
    if (t.has) outbox += (await sql(ctx, service, `SELECT count(*)::int AS n FROM outbox WHERE status = 'PENDING'`))[0].n;
  }
  return { ordersOpen: orders.n, paymentsPending: payments.n, notificationsPending: notifications.n, outboxPending: outbox };
}

async function checkInvariants(ctx, event, sale) {
  const { eventId } = event;
  const checks = [];
  const check = (name, ok, detail) => checks.push({ name, ok: Boolean(ok), detail });

  // Seating: no seat allocated twice, none in two live holds, seats and holds agree.
  const doubleAllocated = await sql(ctx, 'seating', `SELECT seat, count(*)::int FROM (SELECT unnest(seat_ids) AS seat FROM reservations WHERE status = 'ALLOCATED') s GROUP BY seat HAVING count(*) > 1`);
  check('no seat allocated twice', doubleAllocated.length === 0, `${doubleAllocated.length} seats`);
  const doubleHeld = await sql(
    ctx,
    'seating',
    `SELECT seat, count(*)::int FROM (SELECT unnest(seat_ids) AS seat FROM reservations WHERE status = 'ALLOCATED' OR (status = 'RESERVED' AND expires_at > now())) s GROUP BY seat HAVING count(*) > 1`,
  );
  check('no seat in two live reservations', doubleHeld.length === 0, `${doubleHeld.length} seats`);
  const [seatState] = await sql(
    ctx,
    'seating',
    `SELECT count(*) FILTER (WHERE s.status = 'ALLOCATED')::int AS allocated,
            count(*) FILTER (WHERE s.status = 'ALLOCATED' AND (r.status IS DISTINCT FROM 'ALLOCATED' OR NOT s.seat_id = ANY (r.seat_ids)))::int AS allocated_without_hold,
            count(*) FILTER (WHERE s.status = 'AVAILABLE' OR (s.status = 'RESERVED' AND s.reservation_expiry < now()))::int AS free,
            count(*) FILTER (WHERE s.status = 'RESERVED' AND s.reservation_expiry >= now())::int AS held
       FROM seats s LEFT JOIN reservations r ON r.reservation_id = s.reservation_id WHERE s.event_id = $1`,
    [eventId],
  );
  check('every allocated seat belongs to its allocated reservation', seatState.allocated_without_hold === 0, `${seatState.allocated_without_hold} seats`);

  // Tickets = allocated seats, seat for seat.
  const tickets = await sql(ctx, 'order', `SELECT t.seat_id, t.order_id FROM tickets t WHERE t.event_id = $1 AND t.status = 'VALID'`, [eventId]);
  const allocated = await sql(ctx, 'seating', `SELECT s.seat_id, r.order_id FROM seats s JOIN reservations r ON r.reservation_id = s.reservation_id WHERE s.event_id = $1 AND s.status = 'ALLOCATED'`, [eventId]);
  const allocatedTo = new Map(allocated.map((r) => [String(r.seat_id), String(r.order_id)]));
  const mismatched = tickets.filter((t) => allocatedTo.get(String(t.seat_id)) !== String(t.order_id)).length;
  check('valid tickets = allocated seats', tickets.length === allocated.length && mismatched === 0, `${tickets.length} tickets, ${allocated.length} allocated seats, ${mismatched} tickets not matching their seat`);

  // Every successful payment: its order CONFIRMED with one ticket per seat (or refunded).
  const payments = await sql(ctx, 'payment', `SELECT payment_id, merchant_order_id::text AS order_id, status FROM payments`);
  const orders = await sql(
    ctx,
    'order',
    `SELECT o.id::text, o.status, o.payment_id, (SELECT count(*)::int FROM order_items i WHERE i.order_id = o.id) AS seats,
            (SELECT count(*)::int FROM tickets t WHERE t.order_id = o.id AND t.status = 'VALID') AS valid
       FROM orders o WHERE o.event_id = $1`,
    [eventId],
  );
  const byId = new Map(orders.map((o) => [o.id, o]));
  const unconfirmedPaid = payments.filter((p) => p.status === 'SUCCESS' && byId.has(p.order_id)).filter((p) => {
    const o = byId.get(p.order_id);
    return !(o.status === 'CONFIRMED' && o.payment_id === p.payment_id && o.valid === o.seats);
  });
  check('every successful payment is CONFIRMED with its tickets (or refunded)', unconfirmedPaid.length === 0, `${unconfirmedPaid.length} payments`);
  const ticketsWithoutPayment = orders.filter((o) => o.valid > 0 && !payments.some((p) => p.payment_id === o.payment_id && p.status === 'SUCCESS'));
  check('no tickets without a successful payment', ticketsWithoutPayment.length === 0, `${ticketsWithoutPayment.length} orders`);

  // Mails = confirmations: one ORDER_CONFIRMED e-mail sent per confirmed order; the sink got every e-mail sent.
  const confirmed = orders.filter((o) => o.status === 'CONFIRMED').length;
  const [mail] = await sql(
    ctx,
    'notification',
    `SELECT count(*) FILTER (WHERE type = 'ORDER_CONFIRMED' AND channel = 'EMAIL' AND status = 'SENT')::int AS confirmations,
            count(*) FILTER (WHERE channel = 'EMAIL' AND status = 'SENT')::int AS sent
       FROM notifications`,
  );
  const sinkFiles = fs.readdirSync(ctx.stack.mailDir).filter((f) => f.endsWith('.eml')).length;
  check('confirmation e-mails = CONFIRMED orders', mail.confirmations === confirmed, `${mail.confirmations} e-mails, ${confirmed} orders`);
  check('the SMTP sink received every e-mail sent', sinkFiles === mail.sent, `${sinkFiles} messages in the sink, ${mail.sent} e-mails SENT`);

  // Nothing stuck.
  const open = await openWork(ctx, eventId);
  check('no order left unpaid or unallocated (PENDING / ALLOCATING)', open.ordersOpen === 0, `${open.ordersOpen} orders`);
  check('no payment left PENDING', open.paymentsPending === 0, `${open.paymentsPending} payments`);
  check('no outbox row undelivered (any database)', open.outboxPending === 0, `${open.outboxPending} rows`);
  check('no notification left PENDING', open.notificationsPending === 0, `${open.notificationsPending} notifications`);
  let dead = 0;
  for (const service of Object.keys(ctx.stack.services)) {
    const [t] = await sql(ctx, service, `SELECT to_regclass('outbox') IS NOT NULL AS has`);
    if (t.has) dead += (await sql(ctx, service, `SELECT count(*)::int AS n FROM outbox WHERE status = 'DEAD'`))[0].n;
  }
  check('no outbox row given up (DEAD)', dead === 0, `${dead} rows`);
  const [lapsed] = await sql(ctx, 'seating', `SELECT count(*)::int AS n FROM reservations WHERE status = 'RESERVED' AND expires_at < now() - interval '30 seconds'`);
  check('no hold left past its expiry', lapsed.n === 0, `${lapsed.n} holds`);

  // False sold-outs: a refusal while a fitting block was certainly free (bench/lib/false-sold-out.mjs).
  const first = await sql(
    ctx,
    'seating',
    `SELECT seat::bigint AS seat_id, (extract(epoch FROM min(created_at)) * 1000)::float8 AS first_ms
       FROM (SELECT unnest(seat_ids) AS seat, created_at FROM reservations WHERE event_id = $1) s GROUP BY seat`,
    [eventId],
  );
  const firstHeldAt = new Map(first.map((r) => [Number(r.seat_id), Number(r.first_ms)]));
  const falseOnes = findFalseSoldOuts({ runs: event.runs, firstHeldAt, refusals: sale._refusals });
  const unsold = seatState.free + seatState.held;
  if (unsold === 0 && sale.secondsToLastHold != null) sale.secondsToSellOut = sale.secondsToLastHold;

  const ok = checks.every((c) => c.ok);
  console.log('\nInvariants (SQL in every database, after the saga settled):');
  for (const c of checks) console.log(`  ${c.ok ? 'OK    ' : 'BROKEN'} ${c.name} (${c.detail})`);
  return {
    ok,
    checks,
    falseSoldOuts: { count: falseOnes.length, refusalsChecked: sale._refusals.length, examples: falseOnes.slice(0, 5) },
    unsoldSeats: { count: unsold, free: seatState.free, heldNotBought: seatState.held, allocated: seatState.allocated },
  };
}

/** After a holds-only yardstick: the seats held are exactly those clients were told they got. */
async function holdsInvariant(ctx, event, run) {
  const [r] = await sql(ctx, 'seating', `SELECT count(*) FILTER (WHERE status = 'RESERVED')::int AS reserved, count(DISTINCT reservation_id)::int AS holders FROM seats WHERE event_id = $1`, [event.eventId]);
  const ok = r.reserved === run.seatsSold && r.holders === run.successes;
  return { ok, reservedSeats: r.reserved, distinctHolds: r.holders, seatsClientsGot: run.seatsSold, successfulRequests: run.successes };
}

// ---------------------------------------------------------------------------------------------
// Report

/** Each service's output (LOG_LEVEL warn: warnings and errors only) beside the results, to read after a bad run. */
function saveServiceLogs(stack) {
  const dir = path.join(RESULTS_DIR, `flash-sale-logs-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, s] of Object.entries(stack.services)) fs.writeFileSync(path.join(dir, `${name}.log`), s.output);
  console.log(`Service logs in ${path.relative(root, dir)}/`);
}

function serviceFigures(stack) {
  const out = {};
  for (const [name, s] of Object.entries(stack.services)) {
    out[name] = {
      ...memoryMb(s.process?.pid),
      maxListenersWarnings: (s.output.match(/MaxListenersExceededWarning/g) ?? []).length,
    };
  }
  return out;
}

function printHolds(name, r) {
  console.log(
    `  ${name}: ${r.holdsPerSecond} holds/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, ${r.successes} holds, ${r.seatsSold} seats in ${r.seconds} s` +
      `${r.timedOut ? ' (deadline reached)' : ''}, 409s ${JSON.stringify(r.conflicts)}${r.invariant ? `, invariant ${r.invariant.ok ? 'OK' : 'BROKEN'}` : ''}`,
  );
}

function report({ results, invariants, services, seconds, ctx }) {
  const { sale, exact, bare, best, queued } = results;
  const when = new Date().toISOString();
  const targets = [];
  const target = (name, pass, value) => targets.push({ name, result: pass === null ? 'N/A' : pass ? 'PASS' : 'FAIL', value });
  if (sale) {
    const bestRate = best?.holdsPerSecond ?? null;
    target('best-available holds/s >= 50 % of exact-id holds/s (holds alone, same shape)', bestRate != null && exact ? bestRate >= 0.5 * exact.holdsPerSecond : null, `${bestRate ?? 'n/a'} vs ${exact?.holdsPerSecond ?? 'n/a'} (ratio ${ratio(bestRate, exact?.holdsPerSecond) ?? 'n/a'}; in the sale ${sale.holdsPerSecond}/s, ratio ${ratio(sale.holdsPerSecond, exact?.holdsPerSecond) ?? 'n/a'})`);
    target('hold latency p95 < 1 s (retries included)', sale.latencyMs.hold.p95 != null && sale.latencyMs.hold.p95 < 1000, `${sale.latencyMs.hold.p95} ms`);
    target('zero oversell (invariants)', invariants.ok, invariants.ok ? 'all invariants hold' : invariants.checks.filter((c) => !c.ok).map((c) => c.name).join('; '));
    target('zero false sold-outs', sale.falseSoldOuts.count === 0, `${sale.falseSoldOuts.count} of ${sale.falseSoldOuts.refusalsChecked} refusals`);
    target('zero seats unsold while demand remains', sale.unsoldSeats.count === 0, `${sale.unsoldSeats.count} seats${sale.timedOut ? ' (deadline reached)' : ''}`);
    target('zero 5xx', sale.serverErrors.count === 0 && sale.readers.statuses['500'] === undefined && !Object.keys(sale.readers.statuses).some((s) => s >= '500'), `${sale.serverErrors.count} buyer, ${Object.entries(sale.readers.statuses).filter(([s]) => s >= '500').reduce((n, [, c]) => n + c, 0)} reader`);
    target('complete bookings/s >= 5 % of the bare ceiling', bare ? sale.bookingsPerSecond >= 0.05 * bare.holdsPerSecond : null, `${sale.bookingsPerSecond} vs ${bare?.holdsPerSecond ?? 'n/a'} (ratio ${ratio(sale.bookingsPerSecond, bare?.holdsPerSecond) ?? 'n/a'})`);
    target('click-to-CONFIRMED p95 < 3 s', sale.latencyMs.clickToConfirmed.p95 != null && sale.latencyMs.clickToConfirmed.p95 < 3000, `${sale.latencyMs.clickToConfirmed.p95} ms`);
    if (OPT.readers) {
      const r = sale.readers;
      target('readers: no 503', r.status503 === 0, `${r.status503}`);
      target('readers: map GET p99 < 200 ms', r.latencyMs.p99 != null && r.latencyMs.p99 < 200, `${r.latencyMs.p99} ms`);
      target('readers: map queries/s per event <= 10', r.mapQueries.exposed ? r.mapQueries.perSecond <= 10 : null, r.mapQueries.exposed ? `${r.mapQueries.perSecond}/s (${r.mapQueries.metric})` : 'not exposed on /metrics');
    }
  }
  const biggest = Object.entries(services).sort((a, b) => (b[1].peakMb ?? 0) - (a[1].peakMb ?? 0))[0];
  target('every service < 200 MB RSS', Object.values(services).every((s) => s.peakMb != null && s.peakMb < 200), `largest ${biggest?.[0]} ${biggest?.[1].peakMb} MB`);
  const warnings = Object.entries(services).filter(([, s]) => s.maxListenersWarnings > 0);
  target('no MaxListenersExceededWarning', warnings.length === 0, warnings.length ? warnings.map(([n, s]) => `${n}: ${s.maxListenersWarnings}`).join(', ') : 'none');

  const strip = (r) => r && Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('_')));
  const summary = {
    when,
    machine: { cpus: os.cpus().length, node: process.version, database: ctx.db.dataDir ? 'embedded PostgreSQL (temporary)' : 'DATABASE_URL server' },
    options: OPT,
    runSeconds: seconds,
    notes,
    sale: strip(sale),
    queued,
    yardsticks: { exactIds: exact, bare, bestAvailableHoldsOnly: best },
    ratios: {
      bestAvailableVsExactIds: ratio(best?.holdsPerSecond, exact?.holdsPerSecond),
      saleHoldsVsExactIds: ratio(sale?.holdsPerSecond, exact?.holdsPerSecond),
      bookingsVsBare: ratio(sale?.bookingsPerSecond, bare?.holdsPerSecond),
      exactIdsVsBare: ratio(exact?.holdsPerSecond, bare?.holdsPerSecond),
    },
    services,
    invariants: invariants && { ok: invariants.ok, checks: invariants.checks },
    targets,
  };
  const md = markdown(summary);
  console.log(`\n${md}`);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const stem = path.join(RESULTS_DIR, `flash-sale-${when.replace(/[:.]/g, '-')}`);
  fs.writeFileSync(`${stem}.json`, `${JSON.stringify(summary, null, 2)}\n`);
  fs.writeFileSync(`${stem}.md`, md);
  if (sale) {
    const t = sale.timeline;
    fs.writeFileSync(
      `${stem}.svg`,
      lineChartSvg({
        title: `Flash sale: ${sale.seats} seats, ${sale.buyers} buyers, ${OPT.readers} readers`,
        x: t.second,
        series: [
          { name: 'holds/s', values: t.holds ?? [] },
          { name: 'bookings/s', values: t.bookings ?? [] },
          { name: 'hold p99 ms', values: t.holdP99 ?? [], axis: 'right', dashed: true },
          { name: 'click-to-CONFIRMED p99 ms', values: t.clickToConfirmedP99 ?? [], axis: 'right', dashed: true },
        ],
        leftLabel: 'per second',
        rightLabel: 'p99 latency (ms)',
      }),
    );
  }
  console.log(`Written to ${path.relative(root, stem)}.{json,md${sale ? ',svg' : ''}}`);
  return summary;
}

function markdown(s) {
  const sale = s.sale;
  const lines = [`# Flash sale benchmark, ${s.when}`, '', `${s.machine.cpus} CPUs, Node ${s.machine.node}, ${s.machine.database}; the whole run took ${s.runSeconds} s.`, ''];
  for (const n of s.notes) lines.push(`- Note: ${n}`);
  if (s.notes.length) lines.push('');
  if (sale) {
    const l = sale.latencyMs;
    const row = (name, v) => lines.push(`| ${name} | ${v} |`);
    lines.push('| figure | value |', '|---|---|');
    row('seats / buyers / readers', `${sale.seats} (${sale.shapedPlan ? 'arena plan, aisles' : 'rectangular plan'}) / ${sale.buyers} / ${sale.readers.readers}`);
    row('sale duration', `${sale.seconds} s${sale.timedOut ? ' (deadline reached)' : ''}`);
    row('seconds to sell out', sale.secondsToSellOut ?? 'not sold out');
    row('holds/s', `${sale.holdsPerSecond} (${sale.holds} holds, ${sale.seatsHeld} seats)`);
    row('complete bookings/s', `${sale.bookingsPerSecond} (${sale.bookings} CONFIRMED, ${sale.seatsBooked} seats, ${sale.declinedOnce} declined once)`);
    row('waiting room', sale.queued ? 'on: buyers queue before each purchase; the click is the first reserve request once admitted' : 'off');
    const steps = [['hold (incl. retries)', 'hold'], ['order', 'order'], ['charge', 'charge'], ['confirm wait', 'confirm'], ['click to CONFIRMED', 'clickToConfirmed']];
    if (sale.queued) steps.unshift(['queue wait (join to admitted)', 'queue']), steps.push(['join to CONFIRMED', 'joinToConfirmed']);
    for (const [name, key] of steps) {
      row(`${name} p50 / p95 / p99 ms`, `${l[key].p50} / ${l[key].p95} / ${l[key].p99}`);
    }
    row('409s by code', Object.entries(sale.conflicts).map(([k, v]) => `${k} ${v}`).join(', ') || 'none');
    row('5xx', sale.serverErrors.count);
    row('false sold-outs', `${sale.falseSoldOuts.count} of ${sale.falseSoldOuts.refusalsChecked} refusals`);
    row('seats left unsold while demand remained', sale.unsoldSeats.count);
    row('PostgreSQL CPU over the sale', sale.postgresCpuSeconds == null ? 'n/a (external server)' : `${sale.postgresCpuSeconds} s`);
    row('connections dropped by a full accept queue (ListenOverflows)', sale.listenOverflows ?? 'n/a');
    row('CPU seconds over the sale, by process', Object.entries(sale.cpuSeconds).map(([name, s]) => `${name} ${s ?? 'n/a'}`).join(', '));
    const r = sale.readers;
    row('readers', `${r.mode}: ${r.mapRequests} map GETs (${r.mapRequestsPerSecond}/s), statuses ${JSON.stringify(r.statuses)}, 503s ${r.status503}, p99 ${r.latencyMs.p99} ms, ${r.feedMessages} feed messages`);
    row('map queries/s for the event', r.mapQueries.exposed ? `${r.mapQueries.perSecond} (${r.mapQueries.metric})` : 'not exposed');
    lines.push('');
  }
  lines.push('| yardstick | holds/s | p50 ms | p99 ms | seats | seconds |', '|---|---|---|---|---|---|');
  for (const [name, r] of [['exact seat ids (seating)', s.yardsticks.exactIds], ['bare node:http + pg', s.yardsticks.bare], ['best available, holds alone', s.yardsticks.bestAvailableHoldsOnly]]) {
    if (r) lines.push(`| ${name} | ${r.holdsPerSecond} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.seatsSold} | ${r.seconds}${r.timedOut ? ' (deadline)' : ''} |`);
  }
  lines.push('', `Ratios: ${Object.entries(s.ratios).map(([k, v]) => `${k} ${v ?? 'n/a'}`).join(', ')}`, '');
  lines.push('| service | peak RSS MB | MaxListeners warnings |', '|---|---|---|');
  for (const [name, v] of Object.entries(s.services)) lines.push(`| ${name} | ${v.peakMb} | ${v.maxListenersWarnings} |`);
  if (s.queued) lines.push('', queuedMarkdown(s.queued).trimEnd());
  lines.push('', '| target | result | measured |', '|---|---|---|');
  for (const t of s.targets) lines.push(`| ${t.name} | ${t.result} | ${t.value} |`);
  if (s.invariants) {
    lines.push('', '| invariant | result | detail |', '|---|---|---|');
    for (const c of s.invariants.checks) lines.push(`| ${c.name} | ${c.ok ? 'OK' : 'BROKEN'} | ${c.detail} |`);
  }
  return `${lines.join('\n')}\n`;
}

let finishing = false;
async function finish(code) {
  if (finishing) return;
  finishing = true;
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  process.exit(code);
}
