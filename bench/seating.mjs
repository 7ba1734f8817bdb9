#!/usr/bin/env node
// npm run bench:seating — a flash sale against the seating service on an embedded PostgreSQL.
//
// C concurrent buyers (default 200, keep-alive connections) reserve random groups of 1-4 adjacent
// seats of a 20,000-seat event until it is sold out. Measured in the same run, on fresh events of
// the same size and with the same load generator:
//   1. ceiling:      a minimal node:http server running the bare conditional UPDATE ... RETURNING;
//   2. serializable: the textbook SERIALIZABLE + SELECT ... FOR UPDATE design;
//   3. seating:      our service (Nest on Fastify, auth, validation, reserve_seats()).
// Prints reservations/s, p50/p99 latency, conflicts, seconds to sell out, peak RSS of the server
// and an oversell check from the database, and writes them to bench/results/.
//
// Options (environment): BENCH_CONCURRENCY (200), BENCH_ROWS (100), BENCH_SEATS_PER_ROW (200),
// BENCH_DB_POOL (10), BENCH_ONLY (comma list of targets to run).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { databaseUrl, ensureDatabases } from '../scripts/lib/embedded-pg.mjs';
import { freePort } from '../scripts/lib/common.mjs';
import { sellOutByExactIds } from './lib/exact-holds.mjs';
import { benchNodeArgs } from './lib/node-args.mjs';
import { temporaryPostgres } from './lib/postgres.mjs';
import { postgresPids } from './lib/proc.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 200);
const ROWS = Number(process.env.BENCH_ROWS ?? 100);
const PER_ROW = Number(process.env.BENCH_SEATS_PER_ROW ?? 200);
const POOL = Number(process.env.BENCH_DB_POOL ?? 10);
const TARGETS = (process.env.BENCH_ONLY ?? 'ceiling,serializable,seating').split(',');
const JWT_SECRET = 'bench-jwt-secret-0123456789abcdef0123456789';
const SERVICE_SECRET = 'bench-service-secret-0123456789abcdef01234567';

const children = new Set();
let database;

main().then(
  () => cleanup(0),
  (e) => {
    console.error(`\nbenchmark failed: ${e?.stack ?? e}`);
    cleanup(1);
  },
);
process.on('SIGINT', () => cleanup(130));

async function main() {
  database = await temporaryPostgres();
  await ensureDatabases(database.url, ['bench_seating']);
  const dbUrl = databaseUrl(database.url, 'bench_seating');

  // The seating service creates the schema (its migrations) and every event's seat plan.
  // Started as its image starts it (services/seating/Dockerfile sets the same heap limit).
  const seating = await startServer('seating', ['--max-old-space-size=160', path.join(root, 'services/seating/dist/src/main.js')], {
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl,
    JWT_SECRET,
    SERVICE_SECRET,
    LOG_LEVEL: 'warn',
    DB_POOL_SIZE: String(POOL),
    SWEEP_INTERVAL_MS: '60000',
  });
  const admin = await signAdmin();
  const results = {};
  let eventId = 1;
  for (const target of ['ceiling', 'serializable', 'seating'].filter((t) => TARGETS.includes(t))) {
    eventId++;
    const seats = await createPlan(seating.url, admin, eventId);
    const server =
      target === 'seating'
        ? seating
        : await startServer(target, [path.join(root, 'bench/reserve-baseline-server.mjs')], { BASELINE: target, DATABASE_URL: dbUrl, DB_POOL_SIZE: String(POOL) });
    console.log(`\n${target}: ${CONCURRENCY} buyers, ${seats.length} seats…`);
    const run = await sellOut(server, target === 'seating' ? '/v1/seats/reserve' : '/reserve', eventId, seats, dbUrl);
    run.invariant = await checkInvariant(dbUrl, eventId, seats.length, run.successes, run.seatsSold);
    results[target] = run;
    print(target, run);
    if (target !== 'seating') await stopServer(server);
  }
  report(results);
}

// ---------------------------------------------------------------------------------------------

async function sellOut(server, pathname, eventId, seatIds, dbUrl) {
  const run = await sellOutByExactIds({
    url: server.url,
    pathname,
    eventId,
    runs: [seatIds],
    concurrency: CONCURRENCY,
    headersFor: async (userId) => (server.name === 'seating' ? { authorization: `Bearer ${await userToken(userId)}` } : {}),
    availableSeats: () => availableSeats(dbUrl, eventId),
    serverPid: server.child.pid,
    postgresPids: () => postgresPids(database.dataDir),
  });
  return {
    reservationsPerSecond: run.holdsPerSecond,
    requestsPerSecond: run.requestsPerSecond,
    p50Ms: run.latencyMs.p50,
    p99Ms: run.latencyMs.p99,
    successes: run.successes,
    conflicts: Object.values(run.conflicts).reduce((a, b) => a + b, 0),
    errors: run.errors,
    seatsSold: run.seatsSold,
    secondsToSellOut: run.seconds,
    peakRssMb: run.peakRssMb,
    // Where the work went: CPU milliseconds per successful reservation, server process and PostgreSQL.
    serverCpuMsPerReservation: run.serverCpuMsPerHold,
    postgresCpuMsPerReservation: run.postgresCpuMsPerHold,
  };
}

async function availableSeats(dbUrl, eventId) {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT seat_id FROM seats WHERE event_id = $1 AND status = 'AVAILABLE' ORDER BY seat_id`, [eventId]);
    return rows.map((r) => Number(r.seat_id));
  } finally {
    await client.end();
  }
}

async function checkInvariant(dbUrl, eventId, total, successes, seatsSold) {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT count(*) FILTER (WHERE status = 'RESERVED')::int AS reserved, count(*) FILTER (WHERE status = 'AVAILABLE')::int AS available,
              count(DISTINCT reservation_id)::int AS holders
         FROM seats WHERE event_id = $1`,
      [eventId],
    );
    const r = rows[0];
    // No oversell: every seat a client was told it got is held, by exactly as many holds as 201s.
    const noOversell = r.reserved === seatsSold && r.holders === successes;
    const soldOut = r.available === 0 && r.reserved === total;
    return { ok: noOversell && soldOut, noOversell, soldOut, reservedSeats: r.reserved, availableSeats: r.available, distinctHolds: r.holders, successfulRequests: successes, seatsSoldByClients: seatsSold };
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------

async function createPlan(seatingUrl, admin, eventId) {
  const res = await fetch(`${seatingUrl}/v1/seats/bulk`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body: JSON.stringify({ eventId, venueId: 1, sections: [{ name: 'FLOOR', rows: ROWS, seatsPerRow: PER_ROW, price: 75 }] }),
  });
  if (res.status !== 201) throw new Error(`seat plan: ${res.status} ${await res.text()}`);
  const map = await (await fetch(`${seatingUrl}/v1/seats?eventId=${eventId}`)).json();
  return map.sections.flatMap((s) => s.rows.flatMap((r) => r.seats.map((seat) => seat[0])));
}

async function startServer(name, args, env) {
  const port = await freePort();
  // BENCH_NODE_ARGS="--cpu-prof" profiles the servers (into bench/results/diagnostics/).
  const nodeArgs = benchNodeArgs();
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    env: { PATH: process.env.PATH, ...env, PORT: String(port), HOST: '127.0.0.1', SERVICE_NAME: name === 'seating' ? 'seating' : name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited:\n${output}`);
    if (Date.now() > deadline) throw new Error(`${name} did not start:\n${output}`);
    const ready = name === 'seating' ? await fetch(`${url}/health`).then((r) => r.ok, () => false) : output.includes('listening');
    if (ready) return { name, port, url, child };
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopServer(server) {
  server.child.kill('SIGTERM');
  await new Promise((r) => server.child.once('exit', r));
  children.delete(server.child);
}

async function signAdmin() {
  const { TokenService } = await import(path.join(root, 'libs/platform/dist/src/auth/token-service.js'));
  return new TokenService(JWT_SECRET, SERVICE_SECRET, 'user').signAccessToken({ userId: 1, username: 'admin', role: 'ADMIN' }, 3600);
}

let tokenService;
/** Each request is a different buyer, as in a flash sale; signed before the request's clock starts. */
async function userToken(userId) {
  if (!tokenService) {
    const { TokenService } = await import(path.join(root, 'libs/platform/dist/src/auth/token-service.js'));
    tokenService = new TokenService(JWT_SECRET, SERVICE_SECRET, 'user');
  }
  return tokenService.signAccessToken({ userId, username: `buyer${userId}`, role: 'USER' }, 3600);
}

const round = (n) => Math.round(n * 10) / 10;

function print(target, r) {
  console.log(
    `  ${r.reservationsPerSecond} reservations/s (${r.requestsPerSecond} requests/s), p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, ` +
      `${r.conflicts} conflicts, ${r.errors} errors, sold out in ${r.secondsToSellOut} s, peak RSS ${r.peakRssMb} MB, ` +
      `CPU per reservation: server ${r.serverCpuMsPerReservation} ms, PostgreSQL ${r.postgresCpuMsPerReservation} ms, ` +
      `invariant ${r.invariant.ok ? 'OK' : 'BROKEN'} (${r.invariant.reservedSeats} seats held by ${r.invariant.distinctHolds} holds)`,
  );
}

function report(results) {
  const summary = { when: new Date().toISOString(), machine: { cpus: os.cpus().length, node: process.version }, concurrency: CONCURRENCY, seats: ROWS * PER_ROW, dbPool: POOL, results };
  if (results.ceiling && results.seating) {
    summary.seatingVsCeiling = round((results.seating.reservationsPerSecond / results.ceiling.reservationsPerSecond) * 100) / 100;
  }
  if (results.serializable && results.seating) {
    summary.seatingVsSerializable = round((results.seating.reservationsPerSecond / results.serializable.reservationsPerSecond) * 100) / 100;
  }
  console.log('\nSummary');
  for (const [name, r] of Object.entries(results)) {
    console.log(`  ${name.padEnd(13)} ${String(r.reservationsPerSecond).padStart(6)} res/s  p50 ${String(r.p50Ms).padStart(6)} ms  p99 ${String(r.p99Ms).padStart(6)} ms  RSS ${r.peakRssMb} MB  oversell: ${r.invariant.noOversell ? 'none' : 'YES'}  sold out: ${r.invariant.soldOut ? 'yes' : 'NO'}`);
  }
  if (summary.seatingVsCeiling !== undefined) console.log(`  seating / ceiling = ${summary.seatingVsCeiling} (target >= 0.5)`);
  if (summary.seatingVsSerializable !== undefined) console.log(`  seating / serializable design = ${summary.seatingVsSerializable}`);
  const file = path.join(root, 'bench', 'results', `seating-${summary.when.replace(/[:.]/g, '-')}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`\nWritten to ${path.relative(root, file)}`);
  if (Object.values(results).some((r) => !r.invariant.ok)) process.exitCode = 1;
}

async function cleanup(code) {
  for (const child of children) child.kill('SIGTERM');
  // A graceful stop takes a moment (and writes a --cpu-prof profile): up to 10 s before SIGKILL.
  const deadline = Date.now() + 10_000;
  while ([...children].some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await database?.stop().catch(() => undefined);
  process.exit(process.exitCode ?? code);
}
