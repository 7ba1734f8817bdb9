// Small helpers shared by scripts/start.mjs and scripts/test.mjs (plain Node ESM, no dependencies).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (this file lives in <root>/scripts/lib). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Runs the repo's own TypeScript compiler in build mode (`tsc -b`, incremental) at the repo root,
 * with its output shown as is. Resolves to { ok, ms }. `onChild` receives the child process so a
 * caller can kill it when it is interrupted.
 */
export function runTypeScriptBuild(rootDir, { onChild } = {}) {
  const tsc = path.join(rootDir, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!fs.existsSync(tsc)) {
    console.error(`TypeScript is not installed (${path.relative(rootDir, tsc)} is missing). Run "npm install" first.`);
    return Promise.resolve({ ok: false, ms: 0 });
  }
  const startedAt = Date.now();
  console.log('Building (tsc -b)…');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '-b'], { cwd: rootDir, stdio: 'inherit' });
    onChild?.(child);
    const done = (ok) => {
      const ms = Date.now() - startedAt;
      console.log(ok ? `Build finished in ${formatMs(ms)}.` : `Build FAILED after ${formatMs(ms)}.`);
      resolve({ ok, ms });
    };
    child.once('error', (err) => {
      console.error(`Could not run the TypeScript compiler: ${err.message}`);
      done(false);
    });
    child.once('exit', (code) => done(code === 0));
  });
}

/**
 * Resolves to null when `host:port` can be bound, else to the error code (EADDRINUSE, EACCES, …).
 * Node sets SO_REUSEADDR, so connections lingering in TIME_WAIT do not count as "in use".
 */
export function portProblem(port, host) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (err) => resolve(err.code || err.message));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/** Checks 127.0.0.1 and 0.0.0.0 (something on either blocks a service). Null when free. */
export async function localPortProblem(port) {
  return (await portProblem(port, '127.0.0.1')) ?? (await portProblem(port, '0.0.0.0'));
}

/** Asks the OS for a currently free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The URL with its password replaced by ****, for printing. */
export function maskPassword(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '****';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export function formatMs(ms) {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads an integer port from env[name], falling back to `fallback`; throws a clear error if invalid. */
export function portFromEnv(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name}=${JSON.stringify(raw)} is not a valid TCP port (1-65535).`);
  }
  return port;
}
