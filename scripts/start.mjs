#!/usr/bin/env node
// `npm start`: builds the services, starts a database (embedded PostgreSQL in .data/pg unless
// DATABASE_URL is set), runs every service present in services/ as its own process, waits until
// they are healthy, loads demo data and prints where everything is. Ctrl-C stops it all.
// With a notification service, e-mail goes to an SMTP sink that writes .data/mail/*.eml (unless
// SMTP_URL is set). An API portal on PORTAL_PORT (default 8080) shows every service's OpenAPI
// document (scripts/lib/api-portal.mjs), unless the docs are off (DOCS_ENABLED).
//
// With NODE_ENV=production it generates nothing and loads no demo data: the secrets come from the
// environment or a secrets file (SECRETS_FILE, default secrets.env: KEY=VALUE lines), and a
// missing one stops the launcher before anything starts, naming it. Mail goes to SMTP_URL only.
//
// `npm start -- --fresh` starts from empty data: every service's database is dropped first (on the
// embedded server or the DATABASE_URL one), then created again and filled with the demo data.
// Refused in production.
//
// Services run in their own process groups, so a Ctrl-C in the terminal reaches only this
// launcher, which then stops them in order: services first (SIGTERM, SIGKILL after 10 s), then
// the database. A service that stops on its own once it has answered healthy is started again
// after a back-off (scripts/lib/supervisor.mjs); after 5 crashes within 5 minutes the launcher
// gives up: it says so in a banner, stops everything and exits 1.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import dotenv from 'dotenv';
import {
  formatMs,
  localPortProblem,
  maskPassword,
  portFromEnv,
  repoRoot,
  runTypeScriptBuild,
  sleep,
} from './lib/common.mjs';
import { checkNodeVersion } from './lib/node-versions.mjs';
import { DEMO_ACCOUNTS, loadDemoData } from './lib/demo-data.mjs';
import { databaseUrl, dropDatabases, ensureDatabases, startEmbeddedPostgres } from './lib/embedded-pg.mjs';
import { envPrefix, presentServices, resolveServices, serviceUrl } from './lib/services.mjs';
import { formatDelay, supervise } from './lib/supervisor.mjs';

const DATA_DIR = path.join(repoRoot, '.data');
const LOG_DIR = path.join(DATA_DIR, 'logs');
const SECRETS_FILE = path.join(DATA_DIR, 'dev-secrets.json');
const DEFAULT_OPERATOR_SECRETS_FILE = path.join(repoRoot, 'secrets.env');
const PRODUCTION = process.env.NODE_ENV === 'production';
const DEFAULT_EMBEDDED_PG_PORT = 54329;
const HEALTH_TIMEOUT_MS = 90_000;
const HEALTH_POLL_MS = 250;
const STOP_GRACE_MS = 10_000;
const TAIL_LINES = 30;
// npm forwards the terminal's SIGINT to us although we got it from the terminal already; a second
// signal only counts as "press again to force" when it comes later than this.
const SAME_SIGNAL_WINDOW_MS = 1_000;
const VERBOSE = process.env.START_VERBOSE === '1';
const SECRET_NAMES = ['JWT_SECRET', 'SERVICE_SECRET', 'CALLBACK_SECRET'];
const MAIL_DIR = path.join(DATA_DIR, 'mail');
const DEFAULT_SMTP_SINK_PORT = 1025;
const DEFAULT_PORTAL_PORT = 8080;

/** An error whose message says it all (printed without a stack trace). */
class StartupError extends Error {
  constructor(message, entry) {
    super(message);
    this.entry = entry; // the service concerned, whose log tail is printed
  }
}

const state = {
  startedAt: Date.now(),
  ready: false,
  build: null, // the tsc child process while building
  database: null, // promise of the embedded PostgreSQL handle, when one is used
  running: new Map(), // service name → its current run: { service, child, tail, logFile, exit, closed }
  supervisors: new Map(), // service name → supervisor, from the service's first healthy answer on
  mail: null, // where the notification service sends e-mail: { url, description, stop? }
  portal: null, // the API portal: { url, stop }
  shutdown: null, // promise, once stopping
  firstSignalAt: 0,
  forced: false, // a second Ctrl-C killed the services
};

checkNodeVersion();
installProcessHandlers();
main().catch(fail);

/** The launcher's own arguments (`npm start -- --fresh`). */
function parseArguments(argv) {
  const options = { fresh: false };
  for (const arg of argv) {
    if (arg === '--fresh') options.fresh = true;
    else throw new StartupError(`Unknown argument ${arg}. npm start takes one: --fresh (npm start -- --fresh), to start from empty databases.`);
  }
  return options;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  if (options.fresh && PRODUCTION) {
    throw new StartupError('NODE_ENV=production: --fresh would drop the databases of every service. It is for development; drop them yourself if you mean it.');
  }
  loadSecretsFile();
  const services = await explained(() => presentServices(repoRoot));
  if (services.length === 0) throw new StartupError('No services found (no services/<name>/package.json).');
  if (PRODUCTION) checkProductionSettings(services);
  fs.mkdirSync(LOG_DIR, { recursive: true });

  const build = await runTypeScriptBuild(repoRoot, { onChild: (child) => (state.build = child) });
  state.build = null;
  if (stopping()) return;
  if (!build.ok) throw new StartupError('Fix the errors above, then run npm start again.');
  checkEntriesBuilt(services);

  const database = await explained(() => openDatabase(services, options));
  if (stopping()) return;
  const secrets = PRODUCTION ? pickSecrets(process.env) : loadDevSecrets();
  await checkServicePorts(services);
  state.mail = await explained(() => openMail(services));
  if (stopping()) return;

  const allServices = resolveServices();
  await Promise.all(
    services.map(async (service) => {
      const env = serviceEnv(service, allServices, database, secrets);
      await waitHealthy(spawnService(service, env));
      if (!stopping()) superviseService(service, env);
    }),
  );
  if (stopping()) return;

  const urls = Object.fromEntries(services.map((service) => [service.name, serviceUrl(service)]));
  // Demo accounts with published passwords have no place in production.
  const demo = PRODUCTION ? undefined : await explained(() => loadDemoData({ urls, log: (line) => console.log(line) }), state.running.get('user'));
  if (stopping()) return;
  if (docsOn()) state.portal = await explained(() => openPortal(services));
  if (stopping()) return;
  state.ready = true;
  printBanner(services, database, demo);
}

/** Runs `fn`; its errors (environment problems with clear messages) become StartupErrors. */
async function explained(fn, entry) {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof StartupError ? err : new StartupError(err?.message ?? String(err), entry);
  }
}

// ---------------------------------------------------------------------------------------------
// Preparation

function checkEntriesBuilt(services) {
  const missing = services.filter((service) => !fs.existsSync(path.join(repoRoot, service.entry)));
  if (missing.length === 0) return;
  throw new StartupError(
    `The build did not produce ${missing.map((service) => service.entry).join(', ')}. ` +
      'Is each service referenced from the root tsconfig.json, with outDir "dist"?',
  );
}

/**
 * The database server: DATABASE_URL when set (its database name is ignored), else the embedded
 * PostgreSQL. Creates the databases of the services that have no <NAME>_DATABASE_URL of their own
 * (a service creates its own at start), after dropping every service's database with --fresh.
 */
async function openDatabase(services, { fresh }) {
  let serverUrl;
  let description;
  if (process.env.DATABASE_URL) {
    serverUrl = process.env.DATABASE_URL;
    if (!URL.canParse(serverUrl)) throw new StartupError('DATABASE_URL is not a valid URL (postgres://user:password@host:port/db).');
    description = `DATABASE_URL server ${maskPassword(serverUrl)}`;
  } else {
    const port = portFromEnv(process.env, 'EMBEDDED_PG_PORT', DEFAULT_EMBEDDED_PG_PORT);
    const startedAt = Date.now();
    console.log(`Starting the embedded PostgreSQL on 127.0.0.1:${port} (data in ${relative(path.join(DATA_DIR, 'pg'))})…`);
    state.database = startEmbeddedPostgres({
      dataDir: path.join(DATA_DIR, 'pg'),
      port,
      persistent: true,
      log: (line) => console.error(line),
    });
    const server = await state.database;
    serverUrl = server.url;
    server.exited.then(({ expected }) => {
      if (expected || stopping()) return;
      console.error('The services cannot work without their database: stopping. Run npm start again to restart.');
      shutdown(1);
    });
    console.log(`Embedded PostgreSQL ready in ${formatMs(Date.now() - startedAt)}.`);
    description = `embedded PostgreSQL ${maskPassword(serverUrl)} (data in ${relative(path.join(DATA_DIR, 'pg'))}, ` +
      `server log ${relative(path.join(DATA_DIR, 'postgres.log'))}, password in ${relative(path.join(DATA_DIR, 'pg-credentials.json'))})`;
  }
  if (fresh) {
    // Each service's own database, wherever its URL points; nothing else on the server.
    const dropped = await dropDatabases(services.map((service) => service.databaseUrl || databaseUrl(serverUrl, service.database)));
    console.log(`--fresh: ${dropped.length > 0 ? `dropped database${dropped.length > 1 ? 's' : ''} ${dropped.join(', ')}` : 'no database to drop'}; every service starts on an empty one.`);
  }
  const names = services.filter((service) => !service.databaseUrl).map((service) => service.database);
  if (names.length > 0) {
    const created = await ensureDatabases(serverUrl, names);
    if (created.length > 0) console.log(`Created database${created.length > 1 ? 's' : ''} ${created.join(', ')}.`);
  }
  return {
    description,
    urlFor: (service) => service.databaseUrl || databaseUrl(serverUrl, service.database),
  };
}

/**
 * The operator's KEY=VALUE file (SECRETS_FILE, else secrets.env in the repository root when it
 * exists; git-ignored) into process.env, so that everything below and every service sees it.
 * Variables already in the environment win over the file.
 */
function loadSecretsFile() {
  const file = process.env.SECRETS_FILE ? path.resolve(process.env.SECRETS_FILE) : DEFAULT_OPERATOR_SECRETS_FILE;
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (!process.env.SECRETS_FILE && err.code === 'ENOENT') return;
    throw new StartupError(`SECRETS_FILE ${file} cannot be read (${err.code ?? err.message}).`);
  }
  for (const [name, value] of Object.entries(dotenv.parse(text))) process.env[name] ??= value;
}

/**
 * What production needs from the operator, as no development value may stand in: the shared
 * secrets, the order service's ticket key and callback secret (payment's too), a real SMTP server.
 */
function checkProductionSettings(services) {
  const present = new Set(services.map((service) => service.name));
  const needed = ['JWT_SECRET', 'SERVICE_SECRET'];
  if (present.has('order') || present.has('payment')) needed.push('CALLBACK_SECRET');
  if (present.has('order')) needed.push('TICKET_SIGNING_KEY');
  if (present.has('notification')) needed.push('SMTP_URL');
  const missing = needed.filter((name) => !process.env[name]);
  if (missing.length === 0) return;
  throw new StartupError(
    `NODE_ENV=production: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set.\n` +
      'Set them in the environment or in secrets.env (KEY=VALUE lines; another file with SECRETS_FILE=path). ' +
      'Nothing is generated in production (README, "npm start in production mode").',
  );
}

function pickSecrets(env) {
  return Object.fromEntries(SECRET_NAMES.filter((name) => env[name]).map((name) => [name, env[name]]));
}

/** JWT/service/callback secrets: generated once into .data/dev-secrets.json (0600); env values win. */
function loadDevSecrets() {
  let saved = {};
  try {
    saved = JSON.parse(fs.readFileSync(SECRETS_FILE, 'utf8'));
  } catch {
    // first run (or unreadable file): generate below
  }
  const missing = SECRET_NAMES.filter((name) => typeof saved[name] !== 'string' || saved[name] === '');
  if (missing.length > 0) {
    for (const name of missing) saved[name] = crypto.randomBytes(48).toString('base64url');
    fs.writeFileSync(SECRETS_FILE, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
    fs.chmodSync(SECRETS_FILE, 0o600);
  }
  return Object.fromEntries(SECRET_NAMES.map((name) => [name, process.env[name] || saved[name]]));
}

/**
 * Where the notification service sends e-mail: SMTP_URL when set, else an SMTP sink on
 * 127.0.0.1:SMTP_SINK_PORT (default 1025) that writes every message to .data/mail/*.eml.
 */
async function openMail(services) {
  const notification = services.find((service) => service.name === 'notification');
  if (!notification) return null;
  // The inbox page is development only (the notification service has no /inbox in production).
  const inbox = PRODUCTION ? 'no inbox page in production' : `inbox http://localhost:${notification.port}/inbox`;
  if (process.env.SMTP_URL) return { url: process.env.SMTP_URL, description: `sent through SMTP_URL ${maskPassword(process.env.SMTP_URL)}; ${inbox}` };
  const port = portFromEnv(process.env, 'SMTP_SINK_PORT', DEFAULT_SMTP_SINK_PORT);
  const { startSmtpSink } = await import('./lib/smtp-sink.mjs');
  const sink = await startSmtpSink({ port, dir: MAIL_DIR, log: (line) => console.log(`${'[mail]'.padEnd(15)} ${line}`) });
  return { ...sink, description: `caught by the SMTP sink on ${sink.url} and written to ${relative(MAIL_DIR)}/<time>-<id>.eml; ${inbox}` };
}

/** The services' ports, and the API portal's when it runs, are free and distinct. */
async function checkServicePorts(services) {
  const problems = [];
  const seen = new Map();
  const listeners = services.map((service) => ({ name: service.name, port: service.port, variable: service.portVariable }));
  if (docsOn()) listeners.push({ name: 'API portal', port: portalPort(), variable: 'PORTAL_PORT' });
  for (const listener of listeners) {
    if (seen.has(listener.port)) {
      problems.push(`port ${listener.port} is set for both ${seen.get(listener.port)} and ${listener.name} — change ${listener.variable}`);
      continue;
    }
    seen.set(listener.port, listener.name);
    const problem = await localPortProblem(listener.port);
    if (problem === 'EADDRINUSE') {
      problems.push(`port ${listener.port} (${listener.name}) is already in use — stop what uses it or set ${listener.variable}`);
    } else if (problem) {
      problems.push(`port ${listener.port} (${listener.name}) cannot be used (${problem}) — set ${listener.variable}`);
    }
  }
  if (problems.length > 0) throw new StartupError(problems.join('\n'));
}

const portalPort = () => portFromEnv(process.env, 'PORTAL_PORT', DEFAULT_PORTAL_PORT);

/** The API portal: every service's OpenAPI document on one page, linked to each service's /docs. */
async function openPortal(services) {
  const { startApiPortal } = await import('./lib/api-portal.mjs');
  return startApiPortal({
    port: portalPort(),
    services: services.map((service) => ({
      name: service.name,
      url: serviceUrl(service),
      publicUrl: `http://localhost:${service.port}`,
      health: service.health,
      docs: service.docs,
    })),
  });
}

function serviceEnv(service, allServices, database, secrets) {
  const env = {
    ...process.env,
    NODE_ENV: process.env.NODE_ENV || 'development',
    SERVICE_NAME: service.name,
    PORT: String(service.port),
    DATABASE_URL: database.urlFor(service),
    ...secrets,
    LOG_LEVEL: process.env.LOG_LEVEL || 'info',
  };
  for (const other of allServices) env[`${envPrefix(other.name)}_URL`] = serviceUrl(other);
  if (service.name === 'notification' && state.mail) env.SMTP_URL = state.mail.url;
  // Where the password e-mails send buyers (the user service's own address, wherever it listens).
  if (service.name === 'user' && !process.env.PUBLIC_URL) env.PUBLIC_URL = serviceUrl(service);
  // One METRICS_PORT for six services would clash: each takes its own <NAME>_METRICS_PORT.
  delete env.METRICS_PORT;
  if (process.env[`${envPrefix(service.name)}_METRICS_PORT`]) env.METRICS_PORT = process.env[`${envPrefix(service.name)}_METRICS_PORT`];
  if (service.name === 'user' && !PRODUCTION) {
    // The development administrator the user service creates at boot (demo only).
    env.ADMIN_USERNAME = DEMO_ACCOUNTS.admin.username;
    env.ADMIN_EMAIL = DEMO_ACCOUNTS.admin.email;
    env.ADMIN_PASSWORD = DEMO_ACCOUNTS.admin.password;
  }
  return env;
}

// ---------------------------------------------------------------------------------------------
// Service processes

function spawnService(service, env) {
  const logFile = path.join(LOG_DIR, `${service.name}.log`);
  // The heap limits of the service's image (scripts/lib/services.mjs); NODE_OPTIONS may add to them.
  const child = spawn(process.execPath, [...service.nodeArgs, path.join(repoRoot, service.entry)], {
    cwd: path.join(repoRoot, service.dir),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: see the header comment
  });
  const entry = { service, child, tail: [], logFile, exit: null };
  state.running.set(service.name, entry);
  // 'close' (not 'exit') so that the last log lines have been read when it resolves.
  entry.closed = new Promise((resolve) => {
    child.once('error', (err) => {
      entry.exit ??= { error: err.message };
      resolve(entry.exit);
    });
    child.once('close', (code, signal) => {
      entry.exit ??= { code, signal };
      resolve(entry.exit);
    });
  });
  captureLogs(entry);
  return entry;
}

/** Appends all output to .data/logs/<name>.log; echoes warnings and errors (everything if START_VERBOSE=1). */
function captureLogs(entry) {
  const file = fs.createWriteStream(entry.logFile, { flags: 'a', mode: 0o600 });
  file.on('error', (err) => console.error(`[${entry.service.name}] cannot write ${entry.logFile}: ${err.message}`));
  const prefix = `[${entry.service.name}]`.padEnd(15);
  for (const [stream, fromStderr] of [[entry.child.stdout, false], [entry.child.stderr, true]]) {
    const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => {
      file.write(`${line}\n`);
      entry.tail.push(line);
      if (entry.tail.length > TAIL_LINES) entry.tail.shift();
      if (VERBOSE || isNoteworthy(line, fromStderr)) console.log(`${prefix} ${line}`);
    });
  }
  entry.child.once('close', () => file.end());
}

/** JSON lines at level WARN/ERROR/FATAL (names or pino numbers); non-JSON lines only from stderr. */
function isNoteworthy(line, fromStderr) {
  if (!line.startsWith('{')) return fromStderr;
  let record;
  try {
    record = JSON.parse(line);
  } catch {
    return fromStderr;
  }
  const level = record?.level ?? record?.severity;
  if (typeof level === 'number') return level >= 40; // pino: 40 warn, 50 error, 60 fatal
  return typeof level === 'string' && /^(warn|warning|error|fatal|critical)$/i.test(level);
}

async function waitHealthy(entry) {
  const { service } = entry;
  const url = serviceUrl(service) + service.health;
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (!stopping()) {
    if (entry.exit) throw new StartupError(`${service.name} exited during start-up (${describeExit(entry.exit)}).`, entry);
    if (await answers200(url)) return;
    if (Date.now() > deadline) {
      throw new StartupError(`${service.name} did not answer 200 on ${url} within ${HEALTH_TIMEOUT_MS / 1000} s.`, entry);
    }
    await Promise.race([sleep(HEALTH_POLL_MS), entry.closed]);
  }
}

async function answers200(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * From its first healthy answer on, a service that stops on its own is started again after a
 * back-off. One that crashes too often is given up on loudly, and everything stops with exit code
 * 1: half a platform (orders without payments, say) would only fail its users more quietly.
 */
function superviseService(service, env) {
  let first = state.running.get(service.name);
  const url = serviceUrl(service) + service.health;
  const supervisor = supervise({
    name: service.name,
    start: () => {
      const entry = first ?? spawnService(service, env);
      first = null;
      return entry;
    },
    healthy: () => answers200(url),
    describeExit,
    say: (line) => console.error(`\n${line}`),
    onCrash: () => printTail(state.running.get(service.name)),
    onGiveUp: ({ crashes, windowMs, exit }) => {
      const entry = state.running.get(service.name);
      const rule = '!'.repeat(78);
      console.error(
        [
          '',
          rule,
          `!! GIVING UP ON ${service.name.toUpperCase()}: it crashed ${crashes} times within ${formatDelay(windowMs)} (last: ${describeExit(exit)}).`,
          `!! Stopping every service; npm start exits with code 1. Its log: ${relative(entry.logFile)}`,
          rule,
        ].join('\n'),
      );
      printTail(entry);
      shutdown(1);
    },
  });
  state.supervisors.set(service.name, supervisor);
}

function describeExit(exit) {
  if (exit.error) return `could not start: ${exit.error}`;
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}

function printTail(entry) {
  if (entry.tail.length === 0) {
    console.error(`  (${relative(entry.logFile)} has no output from this run)`);
    return;
  }
  console.error(`  Last ${entry.tail.length} lines of ${relative(entry.logFile)}:`);
  for (const line of entry.tail) console.error(`    ${line}`);
}

// ---------------------------------------------------------------------------------------------
// Banner

/** The services' own rule (libs/platform BaseConfig): DOCS_ENABLED, else on outside production. */
function docsOn() {
  const value = (process.env.DOCS_ENABLED ?? '').trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  return !PRODUCTION;
}

function printBanner(services, database, demo) {
  const rows = [['service', 'url', 'health', 'docs', 'metrics']];
  for (const service of services) {
    const base = `http://localhost:${service.port}`;
    const metricsPort = process.env[`${envPrefix(service.name)}_METRICS_PORT`];
    const docs = docsOn() ? base + service.docs : 'off (DOCS_ENABLED)';
    const metrics = metricsPort ? `http://localhost:${metricsPort}${service.metrics}` : base + service.metrics;
    rows.push([service.name, base, base + service.health, docs, metrics]);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const table = rows.map((row) => `  ${row.map((cell, i) => cell.padEnd(widths[i])).join('  ')}`.trimEnd());
  const { admin, buyer, buyer2 } = DEMO_ACCOUNTS;
  const userId = (role) => (demo?.userIds?.[role] ? `, user ${demo.userIds[role]}` : '');
  const user = services.find((service) => service.name === 'user');
  const lines = [
    '',
    `Ready in ${formatMs(Date.now() - state.startedAt)}.`,
    '',
    ...table,
    '',
    `API docs:  ${state.portal ? `${state.portal.url} (every service's OpenAPI document on one page)` : 'off (DOCS_ENABLED)'}`,
    `Logs:      ${relative(LOG_DIR)}/<service>.log (warnings and errors are shown here; START_VERBOSE=1 shows everything)`,
    `Database:  ${database.description}`,
  ];
  if (PRODUCTION) {
    lines.push(`Mode:      production: no demo data${process.env.ADMIN_PASSWORD ? `; administrator ${process.env.ADMIN_USERNAME || 'admin'} from ADMIN_PASSWORD` : '; no administrator (set ADMIN_PASSWORD for one)'}`);
  } else {
    lines.push(
      `Accounts:  ${admin.username} / ${admin.password} (administrator), ${buyer.username} / ${buyer.password} (buyer${userId('buyer')}), ` +
        `${buyer2.username} / ${buyer2.password} (second buyer${userId('buyer2')})`,
    );
    // Said again here, where it is seen: the document's walkthrough needs other ids on this database.
    if (demo?.warnings?.length) lines.push(`Warning:   the document's walkthrough ids do not hold here: ${demo.warnings.join('; ')} (delete .data/ for a fresh start)`);
  }
  if (state.mail) lines.push(`Mail:      ${state.mail.description}`);
  if (user && !PRODUCTION) {
    lines.push(
      'Try:',
      `  curl -s -X POST http://localhost:${user.port}/v1/users/login -H "Content-Type: application/json" ` +
        `-d '{"username":"${buyer.username}","password":"${buyer.password}"}'`,
    );
  }
  lines.push('', 'Press Ctrl-C to stop.');
  console.log(lines.join('\n'));
}

// ---------------------------------------------------------------------------------------------
// Stopping

function stopping() {
  return state.shutdown !== null;
}

async function fail(err) {
  if (stopping()) return;
  if (err instanceof StartupError) {
    console.error(`\n${err.message}`);
  } else {
    console.error(`\nnpm start failed: ${err?.stack ?? err}`);
  }
  // Log tails of the service concerned and of any other service that died meanwhile.
  const shown = new Set();
  if (err?.entry) {
    printTail(err.entry);
    shown.add(err.entry);
  }
  for (const entry of state.running.values()) {
    if (entry.exit && !shown.has(entry)) {
      console.error(`${entry.service.name} exited (${describeExit(entry.exit)}).`);
      printTail(entry);
    }
  }
  await shutdown(1);
}

/** Stops services (SIGTERM, then SIGKILL after 10 s) and then the database, and exits. Runs once. */
function shutdown(exitCode) {
  state.shutdown ??= (async () => {
    // First of all: no restarts while stopping.
    for (const supervisor of state.supervisors.values()) supervisor.stop();
    state.build?.kill('SIGTERM');
    await state.portal?.stop().catch(() => {});
    await stopServices();
    await state.mail?.stop?.().catch(() => {});
    await stopDatabase();
    console.log('Stopped.');
    process.exit(state.forced ? 1 : exitCode);
  })();
  return state.shutdown;
}

async function stopServices() {
  const alive = [...state.running.values()].filter((entry) => !entry.exit);
  if (alive.length === 0) return;
  console.log(`Stopping ${alive.map((entry) => entry.service.name).join(', ')}…`);
  for (const entry of alive) signalGroup(entry.child, 'SIGTERM');
  const allClosed = Promise.all(alive.map((entry) => entry.closed));
  let timer;
  const timedOut = await Promise.race([
    allClosed.then(() => false),
    new Promise((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS, true))),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    const stragglers = alive.filter((entry) => !entry.exit);
    console.log(`${stragglers.map((entry) => entry.service.name).join(', ')} did not stop within ${STOP_GRACE_MS / 1000} s; killing.`);
    for (const entry of stragglers) signalGroup(entry.child, 'SIGKILL');
    await allClosed;
  }
}

async function stopDatabase() {
  const database = await state.database?.catch(() => null);
  if (!database) return;
  console.log('Stopping the embedded PostgreSQL…');
  await database.stop();
}

/** Signals the child's whole process group (it was spawned detached), or just the child. */
function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function onSignal(signal) {
  const now = Date.now();
  if (!state.firstSignalAt) {
    state.firstSignalAt = now;
    console.log(`\n${signal} received, stopping (press Ctrl-C again to force)…`);
    shutdown(0);
    return;
  }
  if (now - state.firstSignalAt < SAME_SIGNAL_WINDOW_MS) return;
  console.log('Forcing stop.');
  state.forced = true;
  state.build?.kill('SIGKILL');
  for (const entry of state.running.values()) if (!entry.exit) signalGroup(entry.child, 'SIGKILL');
  // The shutdown sequence goes on (children are gone at once, the database stops fast); make sure
  // we exit even if it hangs. The database gets its stop signal from its 'exit' hook.
  setTimeout(() => process.exit(1), 3_000).unref();
}

function installProcessHandlers() {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => onSignal(signal));
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  // Last resort when exiting some other way: children live in their own groups, so tell them.
  process.on('exit', () => {
    for (const entry of state.running.values()) if (!entry.exit) signalGroup(entry.child, 'SIGTERM');
  });
  // A closed terminal (SIGHUP) or a closed pipe must not crash the shutdown with EPIPE/EIO.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
}

function relative(file) {
  return path.relative(repoRoot, file) || '.';
}
