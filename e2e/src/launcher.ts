import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, registeredServices } from './deploy/registry';
import { ROOT } from './root';

/** A new database name prefix for startLauncher. */
export const launcherTag = () => randomBytes(4).toString('hex');

export interface Launcher {
  process: ChildProcess;
  /** Everything the launcher wrote to its terminal so far (stdout and stderr). */
  output(): string;
  /** Base URL of each service, on the free ports the launcher was given. */
  urls: Record<string, string>;
  /** Base URL of the API portal (PORTAL_PORT), when the docs are on. */
  portalUrl: string;
  /** Resolves when the output matches, rejects when the launcher exits first or after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
  /** The pid of a service process the launcher started (a direct child running its entry). */
  servicePid(name: string): number | undefined;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** SIGINT (as Ctrl-C), waits for the exit, drops the databases. */
  stop(): Promise<number | null>;
}

/**
 * `node scripts/start.mjs [args]` as a terminal would run it, on the TEST_DATABASE_URL server with
 * databases of its own (launcher_<tag>_<database>) and free ports for every service, the SMTP sink
 * and the API portal. The same `tag` again runs on the databases of an earlier launcher.
 */
export async function startLauncher(env: Record<string, string> = {}, { args = [], tag = launcherTag() }: { args?: string[]; tag?: string } = {}): Promise<Launcher> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) throw new Error('TEST_DATABASE_URL is not set: run the tests with `npm test`');
  const services = await registeredServices();
  // freePort() may hand out a port it gave before (each is free once released): never twice here,
  // or the launcher refuses to start with two services on one port.
  const taken = new Set<number>();
  const uniquePort = async (): Promise<number> => {
    for (;;) {
      const port = await freePort();
      if (taken.has(port)) continue;
      taken.add(port);
      return port;
    }
  };
  const portalPort = await uniquePort();
  const launcherEnv: Record<string, string> = {
    ...(process.env as Record<string, string>),
    DATABASE_URL: server,
    SMTP_SINK_PORT: String(await uniquePort()),
    PORTAL_PORT: String(portalPort),
  };
  delete launcherEnv.NODE_ENV;
  const urls: Record<string, string> = {};
  const databases: string[] = [];
  for (const service of services) {
    const prefix = service.name.toUpperCase();
    const port = await uniquePort();
    urls[service.name] = `http://127.0.0.1:${port}`;
    launcherEnv[`${prefix}_PORT`] = String(port);
    const url = new URL(server);
    url.pathname = `/launcher_${tag}_${service.database}`;
    databases.push(url.pathname.slice(1));
    launcherEnv[`${prefix}_DATABASE_URL`] = url.toString();
  }
  Object.assign(launcherEnv, env);
  const child = spawn(process.execPath, [join(ROOT, 'scripts/start.mjs'), ...args], { cwd: ROOT, env: launcherEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const listeners = new Set<() => void>();
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on('data', (chunk: Buffer) => {
      text += chunk;
      for (const listener of listeners) listener();
    });
  }
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  let ended = false;
  void exited.then(() => {
    ended = true;
    for (const listener of listeners) listener();
  });

  const waitFor = (pattern: RegExp, ms = 180_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`no ${pattern} within ${ms / 1000} s:\n${text}`)), ms);
      const check = () => {
        if (pattern.test(text)) done();
        else if (ended) done(new Error(`npm start exited before ${pattern}:\n${text}`));
      };
      const done = (err?: Error) => {
        clearTimeout(timer);
        listeners.delete(check);
        if (err) reject(err);
        else resolve();
      };
      listeners.add(check);
      check();
    });

  const servicePid = (name: string) => {
    const entry = join(ROOT, `services/${name}/dist/src/main.js`);
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === child.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(entry)) return Number(pid);
      } catch {
        // gone meanwhile
      }
    }
    return undefined;
  };

  const stop = async () => {
    if (!ended) child.kill('SIGINT');
    const code = await exited;
    const admin = new URL(server);
    admin.pathname = '/postgres';
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      for (const name of databases) await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
    } finally {
      await client.end();
    }
    return code;
  };

  return { process: child, output: () => text, urls, portalUrl: `http://127.0.0.1:${portalPort}`, waitFor, servicePid, exited, stop };
}
