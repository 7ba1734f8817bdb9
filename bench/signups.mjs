#!/usr/bin/env node
// npm run bench:signups — does a crowd signing up freeze the user service?
//
// Starts an embedded PostgreSQL and the user service (as its image starts it: NODE_ENV=production
// and its heap flags from scripts/lib/services.mjs). First, on a quiet service: /health and logins
// one after another. Then BENCH_SIGNUPS (100) registrations at once, each a bcrypt hash of cost 10;
// meanwhile, from a worker thread of its own, /health every 50 ms and logins one after another, as
// a buyer would (bench/lib/probe-worker.mjs). Prints the
// latencies of both, quiet and under the sign-ups, and their ratios (the machine's speed drifts;
// the ratios much less), and the sign-ups' own figures. Targets: /health under 100 ms and a login
// under 2 s while the sign-ups run.
import { Worker } from 'node:worker_threads';
import { databaseUrl, ensureDatabases } from '../scripts/lib/embedded-pg.mjs';
import { keepAliveAgent, request } from './lib/http.mjs';
import { temporaryPostgres } from './lib/postgres.mjs';
import { startServiceProcess } from './lib/service-process.mjs';
import { summarize } from './lib/stats.mjs';

const SIGNUPS = Number(process.env.BENCH_SIGNUPS ?? 100);
const ADMIN_PASSWORD = 'Bench-admin-password-1';

let service;
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
  await ensureDatabases(database.url, ['bench_user']);
  service = await startServiceProcess('user', {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl(database.url, 'bench_user'),
    JWT_SECRET: 'bench-jwt-secret-0123456789abcdef0123456789',
    SERVICE_SECRET: 'bench-service-secret-0123456789abcdef01234567',
    ADMIN_PASSWORD,
    LOG_LEVEL: 'warn',
    // One client address sends everything here: the per-address limits would stop the benchmark.
    LOGIN_MAX_ATTEMPTS_PER_IP: '1000000',
    LOGIN_MAX_ATTEMPTS_PER_USERNAME: '1000000',
    LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '1000000',
    REGISTRATIONS_PER_IP: '1000000',
    ...JSON.parse(process.env.BENCH_SERVICE_ENV ?? '{}'),
  });
  const base = `http://127.0.0.1:${service.port}`;
  const agent = keepAliveAgent(SIGNUPS + 10);
  const timed = async (fn) => {
    const t0 = process.hrtime.bigint();
    const res = await fn();
    // For /health: how long its own database check took, as the service measured it.
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, status: res.status, dbMs: res.json?.components?.db?.latencyMs };
  };
  const loopLagMaxMs = async () => {
    const res = await request(agent, `${base}/metrics`, { timeoutMs: 30_000 });
    const line = String(res.text ?? '').match(/^nodejs_eventloop_lag_max_seconds(?:\{[^}]*\})? (\S+)$/m);
    return line ? Math.round(Number(line[1]) * 1000) : null;
  };
  const health = () => timed(() => request(agent, `${base}/health`, { timeoutMs: 30_000 }));
  const login = () => timed(() => request(agent, `${base}/v1/users/login`, { method: 'POST', body: { username: 'admin', password: ADMIN_PASSWORD }, timeoutMs: 60_000 }));

  const signUp = (name) =>
    timed(() =>
      request(agent, `${base}/v1/users/register`, {
        method: 'POST',
        body: { username: name, email: `${name}@example.com`, password: 'SecurePass123!', firstName: 'Fan', lastName: 'Waiting' },
        timeoutMs: 120_000,
      }),
    );
  // The quiet figures, which also warm every path up (a running service has served all of them before).
  const quiet = { health: [], login: [], signups: [] };
  for (let i = 0; i < 20; i++) quiet.health.push(await health());
  for (let i = 0; i < 5; i++) quiet.login.push(await login());
  for (let i = 0; i < 5; i++) quiet.signups.push(await signUp(`early_${i}_${Date.now()}`));

  // prom-client's event-loop lag figures are reset at each scrape: this one starts the window.
  await loopLagMaxMs();
  console.log(`${SIGNUPS} sign-ups at once, /health and logins probed from a worker thread…`);
  const prober = new Worker(new URL('./lib/probe-worker.mjs', import.meta.url), { workerData: { base, username: 'admin', password: ADMIN_PASSWORD } });
  const probed = new Promise((resolve, reject) => prober.once('message', resolve).once('error', reject));
  const started = Date.now();
  const registered = await Promise.all(Array.from({ length: SIGNUPS }, (_, i) => signUp(`fan_${i}_${started}`)));
  prober.postMessage('stop');
  const busy = await probed;
  await prober.terminate();
  const seconds = (Date.now() - started) / 1000;
  const lagMs = await loopLagMaxMs();

  const figures = (list) => summarize(list.map((x) => x.ms));
  const statuses = (list) => list.reduce((t, x) => ({ ...t, [x.status]: (t[x.status] ?? 0) + 1 }), {});
  const rows = [
    ['/health, quiet', quiet.health],
    ['/health, during the sign-ups', busy.health],
    ['login, quiet', quiet.login],
    ['login, during the sign-ups', busy.login],
    ['sign-up, quiet', quiet.signups],
    ['sign-ups, all at once', registered],
  ];
  console.log(`\n| requests | count | p50 ms | p95 ms | max ms | answers |\n|---|---|---|---|---|---|`);
  for (const [name, list] of rows) {
    const f = figures(list);
    console.log(`| ${name} | ${f.count} | ${f.p50} | ${f.p95} | ${f.max} | ${JSON.stringify(statuses(list))} |`);
  }
  const ratio = (a, b) => (b ? Math.round((a / b) * 10) / 10 : null);
  const slowest = busy.health.reduce((a, b) => (b.ms > a.ms ? b : a), { ms: 0, at: 0 });
  console.log(`\nThe slowest /health during the sign-ups (${slowest.ms.toFixed(1)} ms, of which its database check ${slowest.dbMs} ms) was sent ${slowest.at} ms after they started.`);
  console.log(`${SIGNUPS} sign-ups in ${seconds.toFixed(1)} s (${(SIGNUPS / seconds).toFixed(1)}/s).`);
  // What the service itself saw, apart from how fast this machine let the prober send and read.
  console.log(`The service's event loop was late by at most ${lagMs} ms during the sign-ups (nodejs_eventloop_lag_max_seconds).`);
  console.log(`Under the sign-ups: /health max ${figures(busy.health).max} ms (${ratio(figures(busy.health).max, figures(quiet.health).max)}× quiet), login max ${figures(busy.login).max} ms (${ratio(figures(busy.login).max, figures(quiet.login).max)}× quiet).`);
  const healthOk = figures(busy.health).max < 100 && busy.health.every((x) => x.status === 200);
  const loginOk = figures(busy.login).max < 2000 && busy.login.every((x) => x.status === 200);
  console.log(`Targets: /health under 100 ms ${healthOk ? 'PASS' : 'FAIL'}; login under 2 s ${loginOk ? 'PASS' : 'FAIL'}.`);
}

async function cleanup(code) {
  service?.child.kill('SIGTERM');
  await database?.stop().catch(() => undefined);
  process.exit(code);
}
