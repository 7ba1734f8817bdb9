#!/usr/bin/env node
// npm run bench:notification — a burst of order confirmations against the notification service.
//
// Starts an embedded PostgreSQL, an SMTP server that counts what it receives, and the service (as
// its image starts it: NODE_ENV=production and its heap flags from scripts/lib/services.mjs, or BENCH_NODE_ARGS).
// Then BENCH_BURSTS (1) times: BENCH_CONCURRENCY (500) POSTs of ORDER_CONFIRMED notices with
// BENCH_TICKETS (4) tickets each, all at once, with a service credential, as the order service sends
// them. Prints the accept latency (p50/p95/p99/max), the answers, the peak RSS of the service, how
// long until every mail was received, whether each was received exactly once (by Message-ID), and
// the CPU the service used (the latencies depend on how busy the machine is; the CPU much less).
// Run it in a network namespace of your own if others share the machine.
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseUrl, ensureDatabases } from '../scripts/lib/embedded-pg.mjs';
import { keepAliveAgent, request } from './lib/http.mjs';
import { temporaryPostgres } from './lib/postgres.mjs';
import { startServiceProcess } from './lib/service-process.mjs';
import { cpuSeconds, sampleRss } from './lib/proc.mjs';
import { summarize } from './lib/stats.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 500);
const BURSTS = Number(process.env.BENCH_BURSTS ?? 1);
const TICKETS = Number(process.env.BENCH_TICKETS ?? 4);
const POOL = Number(process.env.BENCH_DB_POOL ?? 10);
const JWT_SECRET = 'bench-jwt-secret-0123456789abcdef0123456789';
const SERVICE_SECRET = 'bench-service-secret-0123456789abcdef01234567';

let service;
let database;
let smtp;

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
  await ensureDatabases(database.url, ['bench_notification']);
  smtp = await startCountingSmtp();
  service = await startServiceProcess('notification', {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl(database.url, 'bench_notification'),
    JWT_SECRET,
    SERVICE_SECRET,
    LOG_LEVEL: 'warn',
    DB_POOL_SIZE: String(POOL),
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    // More settings of the service, as JSON: BENCH_SERVICE_ENV='{"NOTIFICATION_BATCH_SIZE":"5"}'.
    ...JSON.parse(process.env.BENCH_SERVICE_ENV ?? '{}'),
  });
  const { TokenService } = await import(path.join(root, 'libs/platform/dist/src/auth/token-service.js'));
  const token = new TokenService(JWT_SECRET, SERVICE_SECRET, 'order').serviceToken('notification');
  const rss = sampleRss(service.child.pid);
  const agent = keepAliveAgent(CONCURRENCY);
  const latencies = [];
  const statuses = {};
  const started = Date.now();
  const cpuAtStart = cpuSeconds([service.child.pid]);
  let sent = 0;
  for (let burst = 0; burst < BURSTS; burst++) {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        const t0 = process.hrtime.bigint();
        const res = await request(agent, `http://127.0.0.1:${service.port}/internal/v1/notifications`, {
          method: 'POST',
          body: notice(),
          headers: { authorization: `Bearer ${token}` },
        });
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status !== 202 && statuses[res.status] <= 3) console.error(`  ${res.status}: ${(res.text ?? res.error ?? '').slice(0, 200)}`);
        sent++;
      }),
    );
  }
  const acceptedAfterMs = Date.now() - started;
  const cpuAccepting = cpuSeconds([service.child.pid]) - cpuAtStart;
  const deadline = Date.now() + 600_000;
  while (smtp.received.size < statuses[202] && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const deliveredAfterMs = Date.now() - started;
  const cpuInAll = cpuSeconds([service.child.pid]) - cpuAtStart;
  const peakRssMb = rss.stop();
  agent.destroy();
  const result = {
    requests: sent,
    statuses,
    acceptMs: summarize(latencies),
    allAcceptedAfterMs: acceptedAfterMs,
    // CPU of the service, which does not depend on how busy the machine is (the latencies do).
    serviceCpuMsWhileAccepting: Math.round(cpuAccepting * 1000),
    serviceCpuMsPerNotice: Math.round((cpuInAll * 1000) / sent),
    mailsReceived: smtp.received.size,
    duplicateMails: smtp.duplicates,
    allDeliveredAfterMs: deliveredAfterMs,
    peakRssMb,
    nodeArgs: service.nodeArgs.join(' '),
  };
  console.log(JSON.stringify(result, null, 2));
}

function notice() {
  const orderId = crypto.randomUUID();
  return {
    eventId: crypto.randomUUID(),
    type: 'ORDER_CONFIRMED',
    userId: 1 + Math.floor(Math.random() * 10_000),
    orderId,
    email: 'buyer@example.com',
    phone: '+1234567890',
    name: 'Buyer',
    data: {
      eventName: 'Flash Sale Concert',
      eventId: 1,
      totalCents: 33000,
      currency: 'INR',
      tickets: Array.from({ length: TICKETS }, (_, i) => {
        const code = `TCK-${orderId.slice(0, 8)}-${i + 1}`;
        return { ticketCode: code, seatCode: `FLOOR-A-${i + 1}`, qrPayload: `etsr:ticket:${code}:${crypto.randomBytes(32).toString('hex')}` };
      }),
    },
  };
}

/** An SMTP server that keeps the Message-ID of every mail it accepted (and counts repeats). */
async function startCountingSmtp() {
  const require = createRequire(path.join(root, 'services/notification/package.json'));
  const { SMTPServer } = require('smtp-server');
  const state = { received: new Set(), duplicates: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (c) => {
        if (head.length < 4096) head += c.toString('latin1');
      });
      stream.on('end', () => {
        const id = /^message-id:\s*(\S+)/im.exec(head)?.[1] ?? crypto.randomUUID();
        if (state.received.has(id)) state.duplicates++;
        state.received.add(id);
        callback(null, 'queued');
      });
    },
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(state, { port: server.server.address().port, close: () => new Promise((r) => server.close(r)) });
}

async function cleanup(code) {
  service?.child.kill('SIGTERM');
  await smtp?.close().catch(() => undefined);
  await database?.stop().catch(() => undefined);
  process.exit(code);
}
