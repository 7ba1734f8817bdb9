#!/usr/bin/env node
// `npm test [workspace…]`: builds with `tsc -b`, provides a PostgreSQL server (TEST_DATABASE_URL
// when set, else a throwaway embedded one) and runs the compiled *.spec.js files of the chosen
// workspaces (default: libs/*, services/*, e2e) with Node's built-in test runner.
//
// Tests receive TEST_DATABASE_URL, a URL of the server's `postgres` database; each test suite
// creates and drops its own databases. They also receive TEST_RUN_ID, which names the template
// databases they migrate once and copy their databases from; the runner drops those at the end.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatMs, freePort, maskPassword, repoRoot, runTypeScriptBuild } from './lib/common.mjs';
import { checkNodeVersion } from './lib/node-versions.mjs';
import { installMissingDeployTools } from './lib/deploy-tools.mjs';
import { startEmbeddedPostgres } from './lib/embedded-pg.mjs';
import { dropRunTemplates } from './lib/test-templates.mjs';

const DEFAULT_WORKSPACE_PARENTS = ['libs', 'services'];
const OPTIONAL_WORKSPACES = ['e2e'];
const SAME_SIGNAL_WINDOW_MS = 1_000; // npm forwards the terminal's Ctrl-C once more; see start.mjs
const KEPT_SERVER_LOG = path.join(repoRoot, '.data', 'test-postgres.log');

const state = {
  startedAt: Date.now(),
  build: null, // tsc child while building
  runner: null, // the `node --test` child
  database: null, // promise of the embedded PostgreSQL handle, when one is used
  databaseUrl: null, // the server the tests ran on, once known
  runId: randomBytes(4).toString('hex'), // names this run's template databases
  databaseDescription: 'none (stopped before a database was needed)',
  tempDir: null,
  signal: null, // the first SIGINT/SIGTERM received
  firstSignalAt: 0,
  finishing: false,
};

checkNodeVersion();
installProcessHandlers();
main().then(finish, (err) => {
  console.error(`\nnpm test failed: ${err?.message ?? err}`);
  finish(1);
});

async function main() {
  const workspaces = resolveWorkspaces(process.argv.slice(2));

  const build = await runTypeScriptBuild(repoRoot, { onChild: (child) => (state.build = child) });
  state.build = null;
  if (state.signal) return signalExitCode(state.signal);
  if (!build.ok) return 1;

  const files = findSpecFiles(workspaces);
  if (files.length === 0) {
    console.error(
      `\nNo tests found: no *.spec.js under ${workspaces.map((dir) => `${dir}/dist`).join(', ')}.\n` +
        'Tests are compiled from src/**/*.spec.ts (or test/**/*.spec.ts) by tsc -b; a run without tests does not pass.',
    );
    return 1;
  }

  // The deployment checks run real Prometheus, promtool, docker-compose, kubectl and psql.
  if (files.some((file) => file.includes(`${path.sep}deploy${path.sep}`))) installMissingDeployTools();

  const databaseUrl = await openTestDatabase();
  state.databaseUrl = databaseUrl;
  if (state.signal) return signalExitCode(state.signal);

  console.log(`\nRunning ${files.length} test file${files.length === 1 ? '' : 's'} from ${workspaces.join(', ')}…\n`);
  return runTests(files, databaseUrl);
}

// ---------------------------------------------------------------------------------------------
// Workspaces and test files

/** Workspace dirs (relative to the repo root) from the arguments, or the default set. */
function resolveWorkspaces(args) {
  if (args.length === 0) return defaultWorkspaces();
  return args.map((arg) => {
    // npm runs a workspace's "test" script inside that workspace, with paths meant from the root.
    const candidates = [path.resolve(repoRoot, arg), path.resolve(arg)];
    const found = candidates.find((dir) => isDirectory(dir));
    if (!found) throw new Error(`No such workspace directory: ${arg}`);
    return path.relative(repoRoot, found) || '.';
  });
}

function defaultWorkspaces() {
  const workspaces = [];
  for (const parent of DEFAULT_WORKSPACE_PARENTS) {
    const parentDir = path.join(repoRoot, parent);
    if (!isDirectory(parentDir)) continue;
    for (const name of fs.readdirSync(parentDir).sort()) {
      if (fs.existsSync(path.join(parentDir, name, 'package.json'))) workspaces.push(`${parent}/${name}`);
    }
  }
  for (const dir of OPTIONAL_WORKSPACES) if (isDirectory(path.join(repoRoot, dir))) workspaces.push(dir);
  return workspaces;
}

/** Every *.spec.js under <workspace>/dist (not in node_modules), sorted, relative to the repo root. */
function findSpecFiles(workspaces) {
  const files = [];
  for (const workspace of workspaces) {
    const distDir = path.join(repoRoot, workspace, 'dist');
    if (isDirectory(distDir)) collectSpecFiles(distDir, files);
  }
  return files
    .filter(hasLiveSource)
    .map((file) => path.relative(repoRoot, file))
    .sort();
}

function collectSpecFiles(dir, files) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') collectSpecFiles(full, files);
    } else if (entry.isFile() && entry.name.endsWith('.spec.js')) {
      files.push(full);
    }
  }
}

/**
 * tsc -b never deletes outputs: a spec whose .ts source was deleted or renamed would still run
 * from dist. Its source map names the source; skip the file when that source is gone.
 */
function hasLiveSource(file) {
  let map;
  try {
    map = JSON.parse(fs.readFileSync(`${file}.map`, 'utf8'));
  } catch {
    return true; // no source map: cannot tell, keep it
  }
  const source = map.sources?.[0];
  if (!source) return true;
  const sourcePath = path.resolve(path.dirname(file), map.sourceRoot || '', source);
  if (fs.existsSync(sourcePath)) return true;
  console.log(`Skipping ${path.relative(repoRoot, file)}: its source ${path.relative(repoRoot, sourcePath)} no longer exists.`);
  return false;
}

// ---------------------------------------------------------------------------------------------
// Database

async function openTestDatabase() {
  if (process.env.TEST_DATABASE_URL) {
    state.databaseDescription = `TEST_DATABASE_URL ${maskPassword(process.env.TEST_DATABASE_URL)}`;
    return process.env.TEST_DATABASE_URL;
  }
  state.tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'etsr-test-pg-'));
  const port = await freePort();
  const startedAt = Date.now();
  state.database = startEmbeddedPostgres({
    dataDir: path.join(state.tempDir, 'pg'),
    port,
    persistent: false,
    log: forwardServerPanics,
    portSetting: 'TEST_DATABASE_URL (to use another server)',
  });
  const { url } = await state.database;
  state.databaseDescription = `embedded PostgreSQL (temporary, 127.0.0.1:${port})`;
  console.log(`Embedded PostgreSQL for tests ready on 127.0.0.1:${port} in ${formatMs(Date.now() - startedAt)}.`);
  return url;
}

/**
 * Tests provoke ERRORs on purpose and drop databases under open connections (FATAL), so only
 * PANIC lines are shown; the full server log is kept in .data/test-postgres.log when tests fail.
 */
function forwardServerPanics(line) {
  if (/\bPANIC:/.test(line)) console.error(line);
}

// ---------------------------------------------------------------------------------------------
// Running

function runTests(files, databaseUrl) {
  const args = [
    '--test',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${path.join(repoRoot, 'scripts', 'lib', 'workspace-times-reporter.mjs')}`,
    '--test-reporter-destination=stdout',
    `--test-concurrency=${testConcurrency()}`,
    ...files,
  ];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    stdio: 'inherit',
    env: {
      ...process.env,
      TEST_DATABASE_URL: databaseUrl,
      TEST_RUN_ID: state.runId,
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
    },
  });
  state.runner = child;
  return new Promise((resolve) => {
    child.once('error', (err) => {
      console.error(`Could not start the test runner: ${err.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? signalExitCode(signal)));
  });
}

/**
 * How many test files run at once: TEST_CONCURRENCY, else one more than the CPUs. A test file
 * spends much of its time waiting on its services, its database or a timer, not computing.
 */
function testConcurrency() {
  const configured = Number(process.env.TEST_CONCURRENCY);
  if (Number.isInteger(configured) && configured > 0) return configured;
  return os.availableParallelism() + 1;
}

/** Stops the database, removes the temporary data, prints the summary and exits with `code`. */
async function finish(code) {
  if (state.finishing) return;
  state.finishing = true;
  if (state.databaseUrl) {
    await dropRunTemplates(state.databaseUrl, state.runId).catch((err) =>
      console.error(`Dropping this run's template databases (t_tpl_${state.runId}_*) failed: ${err.message}`),
    );
  }
  const database = await state.database?.catch(() => null);
  if (database) await database.stop().catch((err) => console.error(`Stopping the embedded PostgreSQL failed: ${err.message}`));
  if (state.tempDir) {
    if (code !== 0) keepServerLog(path.join(state.tempDir, 'postgres.log'));
    fs.rmSync(state.tempDir, { recursive: true, force: true });
  }
  const verdict = state.signal ? `interrupted by ${state.signal}` : code === 0 ? 'passed' : `FAILED (exit code ${code})`;
  console.log(`\nTests ${verdict} in ${formatMs(Date.now() - state.startedAt)} (database: ${state.databaseDescription}).`);
  process.exit(code);
}

function keepServerLog(file) {
  try {
    fs.mkdirSync(path.dirname(KEPT_SERVER_LOG), { recursive: true });
    fs.copyFileSync(file, KEPT_SERVER_LOG);
    console.log(`The test database server's log is kept in ${path.relative(repoRoot, KEPT_SERVER_LOG)}.`);
  } catch {
    // no server log (the server never started): nothing to keep
  }
}

function onSignal(signal) {
  const now = Date.now();
  if (!state.signal) {
    state.signal = signal;
    state.firstSignalAt = now;
    // The runner got the terminal's Ctrl-C itself; a signal sent to us alone must reach it too.
    state.runner?.kill(signal);
    state.build?.kill(signal);
    return;
  }
  if (now - state.firstSignalAt < SAME_SIGNAL_WINDOW_MS) return;
  console.error('Forcing stop.');
  state.runner?.kill('SIGKILL');
  state.build?.kill('SIGKILL');
}

function installProcessHandlers() {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => onSignal(signal));
  process.on('uncaughtException', (err) => {
    console.error(err);
    finish(1);
  });
}

function signalExitCode(signal) {
  return 128 + (os.constants.signals[signal] ?? 1);
}

function isDirectory(dir) {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
