import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';

import { freePort, registeredServices } from './deploy/registry';
import { ROOT } from './root';

export { ROOT };

export interface RunningService {
  name: string;
  url: string;
  port: number;
  databaseUrl: string;
  process?: ChildProcess;
  /** Everything the process wrote, for the message of a failing test. */
  output: string;
}

export interface Stack {
  /** Base URL of each running service, e.g. urls.seating = http://127.0.0.1:40123. */
  urls: Record<string, string>;
  services: Record<string, RunningService>;
  /** The secrets every service of this stack shares (to sign a callback in a test). */
  secrets: { JWT_SECRET: string; SERVICE_SECRET: string; CALLBACK_SECRET: string };
  /** Where the stack's SMTP sink writes every mail (one .eml file each). */
  mailDir: string;
  /** Stops a service abruptly (SIGKILL), as a crash would. */
  kill(name: string): Promise<void>;
  /** Starts a stopped service again on the same port and database. */
  start(name: string): Promise<void>;
  /** Takes the SMTP sink down (mail cannot be delivered), and brings it back on the same port. */
  stopMail(): Promise<void>;
  startMail(): Promise<void>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Services to run (default: every service present in services/). */
  only?: string[];
  /** Extra environment per service name, or for all with '*'. */
  env?: Record<string, Record<string, string>>;
  /** Databases are named <prefix>_<tag>_<service database> (default prefix: e2e). */
  databasePrefix?: string;
  /** Start the services all at once rather than one after the other (each retries its peers). */
  parallel?: boolean;
  /** Extra node flags for every service, after the heap limits (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
}

/**
 * All the services as separate processes, the way `npm start` runs them, each on its own fresh
 * database on the TEST_DATABASE_URL server and a free port. For journeys across services and for
 * fault drills (kill one, start it again).
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) throw new Error('TEST_DATABASE_URL is not set: run the tests with `npm test`');
  const SERVICES = await registeredServices();
  const wanted = SERVICES.filter((s) => existsSync(join(ROOT, s.entry)) && (!options.only || options.only.includes(s.name)));
  const tag = randomBytes(4).toString('hex');
  const secrets = {
    JWT_SECRET: randomBytes(32).toString('base64url'),
    SERVICE_SECRET: randomBytes(32).toString('base64url'),
    CALLBACK_SECRET: randomBytes(32).toString('base64url'),
  };

  const services: Record<string, RunningService> = {};
  for (const definition of wanted) {
    const port = await freePort();
    const url = new URL(server);
    url.pathname = `/${options.databasePrefix ?? 'e2e'}_${tag}_${definition.database}`;
    services[definition.name] = { name: definition.name, port, url: `http://127.0.0.1:${port}`, databaseUrl: url.toString(), output: '' };
  }
  const urls = Object.fromEntries(Object.values(services).map((s) => [s.name, s.url]));
  // The notification service sends real e-mail: to an SMTP sink of the stack's own, as npm start does.
  const mailDir = mkdtempSync(join(tmpdir(), 'etsr-e2e-mail-'));
  const { startSmtpSink } = (await import(pathToFileURL(join(ROOT, 'scripts/lib/smtp-sink.mjs')).href)) as {
    startSmtpSink(args: { port: number; dir: string; log: (m: string) => void }): Promise<{ url: string; port: number; stop(): Promise<void> }>;
  };
  let sink = services.notification ? await startSmtpSink({ port: 0, dir: mailDir, log: () => undefined }) : undefined;
  const smtpUrl = sink?.url;
  const stopMail = async () => {
    await sink?.stop();
    sink = undefined;
  };
  // Same port again, so the notification service's SMTP_URL stays right.
  const startMail = async () => {
    if (!sink && smtpUrl) sink = await startSmtpSink({ port: Number(new URL(smtpUrl).port), dir: mailDir, log: () => undefined });
  };
  const serviceUrls = Object.fromEntries(Object.values(services).map((s) => [`${s.name.toUpperCase()}_URL`, s.url]));

  const start = async (name: string): Promise<void> => {
    const definition = wanted.find((d) => d.name === name)!;
    const service = services[name];
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      SERVICE_NAME: name,
      PORT: String(service.port),
      HOST: '127.0.0.1',
      DATABASE_URL: service.databaseUrl,
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'info',
      ADMIN_USERNAME: 'admin',
      ADMIN_EMAIL: 'admin@example.com',
      ADMIN_PASSWORD: 'Admin123!',
      ...secrets,
      ...serviceUrls,
      ...(smtpUrl ? { SMTP_URL: smtpUrl } : {}),
      ...(name === 'user' ? { PUBLIC_URL: service.url } : {}),
      ...options.env?.['*'],
      ...options.env?.[name],
    };
    // With the heap limits npm start and the images use (scripts/lib/services.mjs).
    const child = spawn(process.execPath, [...definition.nodeArgs, ...(options.nodeArgs ?? []), join(ROOT, definition.entry)], { cwd: join(ROOT, 'services', name), env, stdio: ['ignore', 'pipe', 'pipe'] });
    service.process = child;
    child.stdout!.on('data', (c: Buffer) => (service.output += c));
    child.stderr!.on('data', (c: Buffer) => (service.output += c));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${tail(service.output)}`);
      if (Date.now() > deadline) throw new Error(`${name} did not become healthy:\n${tail(service.output)}`);
      const healthy = await fetch(`${service.url}${definition.health}`).then(
        (r) => r.ok,
        () => false,
      );
      if (healthy) return;
      await new Promise((r) => setTimeout(r, 150));
    }
  };

  const kill = async (name: string): Promise<void> => {
    const child = services[name].process;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  };

  const stop = async (): Promise<void> => {
    await Promise.all(
      Object.values(services).map(async (s) => {
        const child = s.process;
        if (!child || child.exitCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await once(child, 'exit');
        clearTimeout(timer);
      }),
    );
    await stopMail();
    const admin = new URL(server);
    admin.pathname = '/postgres';
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      for (const s of Object.values(services)) {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(new URL(s.databaseUrl).pathname.slice(1))} WITH (FORCE)`);
      }
    } finally {
      await client.end();
    }
  };

  try {
    if (options.parallel) await Promise.all(wanted.map((definition) => start(definition.name)));
    else for (const definition of wanted) await start(definition.name);
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
  return { urls, services, secrets, mailDir, kill, start, stopMail, startMail, stop };
}

/** What the demo data loader resolves to: the demo accounts' tokens and user ids, its warnings. */
export interface DemoData {
  tokens: Record<string, string>;
  userIds: Record<string, number>;
  events: { eventId: number; name: string; status: string }[];
  warnings: string[];
}

/** Loads the demo data of `npm start` (accounts, venues, events, seat plans) into a stack. */
export async function loadDemoData(stack: Stack, log: (m: string) => void = () => undefined): Promise<DemoData> {
  const demo = (await import(pathToFileURL(join(ROOT, 'scripts/lib/demo-data.mjs')).href)) as {
    loadDemoData(args: { urls: Record<string, string>; log: (m: string) => void }): Promise<DemoData>;
  };
  return demo.loadDemoData({ urls: stack.urls, log });
}

const tail = (text: string) => text.split('\n').slice(-30).join('\n');
