#!/usr/bin/env node
// npm run bench:seating — a flash sale against the seating service on an embedded PostgreSQL.
//
// C concurrent buyers (default 200, keep-alive connections) reserve random groups of 1-4 adjacent
// seats of a 20,000-seat event until it is sold out. Measured in the same run, on fresh events of
// the same size and with the same load generator:
//   1. ceiling:      a minimal node:http server running the bare conditional UPDATE ... RETURNING;
//   2. serializable: the architecture document's SERIALIZABLE + SELECT ... FOR UPDATE design;
//   3. seating:      our service (Nest on Fastify, auth, validation, reserve_seats()).
// Prints reservations/s, p50/p99 latency, conflicts, seconds to sell out, peak RSS of the server
// and an oversell check from the database, and writes them to bench/results/.
//
// Options (environment): BENCH_CONCURRENCY (200), BENCH_ROWS (100), BENCH_SEATS_PER_ROW (200),
// BENCH_DB_POOL (10), BENCH_ONLY (comma list of targets to run).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { databaseUrl, ensureDatabases, startEmbeddedPostgres } from '../scripts/lib/embedded-pg.mjs';
import { freePort } from '../scripts/lib/common.mjs';

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
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'etsr-bench-'));
  fs.chmodSync(tmp, 0o755);
  const port = await freePort();
  console.log(`Starting an embedded PostgreSQL (127.0.0.1:${port})…`);
  database = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port, persistent: false, log: () => undefined });
  database.dataDir = path.join(tmp, 'pg');
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
  // Seats nobody is known to hold yet, in seat order; buyers pick random runs of adjacent ones.
  const free = new Set(seatIds);
  const order = [...seatIds];
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies = [];
  let successes = 0;
  let conflicts = 0;
  let errors = 0;
  let seatsSold = 0;
  let nextUser = 1;
  const rss = sampleRss(server.child.pid);
  const cpuBefore = { server: cpuSeconds([server.child.pid]), postgres: cpuSeconds(postgresPids()) };
  const started = process.hrtime.bigint();

  function pickGroup() {
    if (!free.size) return undefined;
    const size = 1 + Math.floor(Math.random() * 4);
    for (let tries = 0; tries < 20; tries++) {
      const start = Math.floor(Math.random() * order.length);
      const group = [];
      for (let i = start; i < order.length && group.length < size && free.has(order[i]); i++) group.push(order[i]);
      if (group.length) return group;
    }
    // Few seats left: take the first free ones.
    return [...free].slice(0, size);
  }

  // A buyer that finds nothing left asks the database once: a seat another request named as taken
  // may have been given back since (an all-or-nothing request that lost part of its group).
  let refilling;
  async function refill() {
    refilling ??= availableSeats(dbUrl, eventId).then((ids) => {
      for (const id of ids) free.add(id);
      refilling = undefined;
      return ids.length;
    });
    return refilling;
  }

  async function buyer() {
    for (;;) {
      let group = pickGroup();
      if (!group && (await refill())) group = pickGroup();
      if (!group) return;
      const userId = nextUser++;
      const body = JSON.stringify({ eventId, seatIds: group, userId });
      const headers = { 'content-type': 'application/json' };
      if (server.name === 'seating') headers.authorization = `Bearer ${await userToken(userId)}`;
      const t0 = process.hrtime.bigint();
      const res = await post(agent, server.port, pathname, body, headers);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (res.status === 201) {
        successes++;
        seatsSold += group.length;
        for (const id of group) free.delete(id);
      } else if (res.status === 409) {
        conflicts++;
        // Every target names the seats that were taken; the others of the group stay on offer.
        const taken = JSON.parse(res.body)?.details?.seatIds ?? group;
        for (const id of taken) free.delete(id);
      } else {
        errors++;
        if (errors <= 3) console.error(`  unexpected ${res.status}: ${res.body.slice(0, 200)}`);
        if (errors > 1000) throw new Error('too many errors');
      }
    }
  }

  // Until the database agrees it is sold out: seats given back late go round again.
  do await Promise.all(Array.from({ length: CONCURRENCY }, buyer));
  while (await refill());
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = { server: cpuSeconds([server.child.pid]) - cpuBefore.server, postgres: cpuSeconds(postgresPids()) - cpuBefore.postgres };
  agent.destroy();
  const peakRssMb = rss.stop();
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  return {
    reservationsPerSecond: Math.round(successes / seconds),
    requestsPerSecond: Math.round(latencies.length / seconds),
    p50Ms: round(q(0.5)),
    p99Ms: round(q(0.99)),
    successes,
    conflicts,
    errors,
    seatsSold,
    secondsToSellOut: round(seconds),
    peakRssMb,
    // Where the work went: CPU milliseconds per successful reservation, server process and PostgreSQL.
    serverCpuMsPerReservation: round((cpu.server * 1000) / successes),
    postgresCpuMsPerReservation: round((cpu.postgres * 1000) / successes),
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
  // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the servers.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
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

function post(agent, port, pathname, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathname, method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** User + system CPU seconds of processes, from /proc (Linux; 0 elsewhere). Children that exited are not counted. */
function cpuSeconds(pids) {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of pids) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / tick;
    } catch {
      /* gone */
    }
  }
  return total;
}

/** The embedded PostgreSQL's processes: its postmaster (found by data directory) and the postmaster's children. */
let postmasterPid;
function postgresPids() {
  const all = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  if (!postmasterPid) {
    postmasterPid = all.find((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(database.dataDir);
      } catch {
        return false;
      }
    });
  }
  if (!postmasterPid) return [];
  return [
    postmasterPid,
    ...all.filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1] === postmasterPid;
      } catch {
        return false;
      }
    }),
  ];
}

/** Peak resident memory of a process, sampled from /proc every 100 ms (Linux). */
function sampleRss(pid) {
  let peak = 0;
  const read = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch {
      /* not Linux, or gone */
    }
  };
  read();
  const timer = setInterval(read, 100);
  return { stop: () => (clearInterval(timer), read(), Math.round(peak)) };
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
