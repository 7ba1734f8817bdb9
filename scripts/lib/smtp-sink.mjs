// A catch-all SMTP server for development (`npm start`): it accepts every message on 127.0.0.1
// (no authentication, no TLS), delivers nothing, and writes each message as it arrived to
// <dir>/<time>-<id>.eml, which any mail program opens. The notification service sends to it
// through SMTP_URL like to a real server.
//
// smtp-server and mailparser are development dependencies of services/notification (npm
// workspaces hoist them to the root node_modules); they are resolved from there, and only when a
// sink is started, so `npm start` works without them when there is no notification service.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { repoRoot } from './common.mjs';

const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

/**
 * Starts the sink on 127.0.0.1:`port` (0 picks a free port). `log` receives one line per message:
 * recipients, subject and the file it was written to.
 *
 * @param {{ port: number, dir: string, log?: (line: string) => void }} options
 * @returns {Promise<{ url: string, port: number, stop: () => Promise<void> }>}
 */
export async function startSmtpSink({ port, dir, log = () => {} }) {
  const require = createRequire(path.join(repoRoot, 'services', 'notification', 'package.json'));
  const { SMTPServer } = require('smtp-server');
  const { simpleParser } = require('mailparser');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    banner: 'development mail sink: messages are written to files, never delivered',
    size: MAX_MESSAGE_BYTES,
    logger: false,
    closeTimeout: 1_000,
    onData(stream, session, callback) {
      // Read now: the session's envelope is reset once the message is answered.
      const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
      const chunks = [];
      stream.on('data', (chunk) => chunks.push(chunk));
      stream.once('error', (err) => callback(err));
      stream.once('end', () => {
        if (stream.sizeExceeded) {
          callback(Object.assign(new Error(`Message larger than ${MAX_MESSAGE_BYTES} bytes`), { responseCode: 552 }));
          return;
        }
        const raw = Buffer.concat(chunks);
        const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${crypto.randomBytes(4).toString('hex')}.eml`;
        const file = path.join(dir, name);
        try {
          fs.writeFileSync(file, raw, { mode: 0o600 });
        } catch (err) {
          callback(Object.assign(new Error(`Cannot store the message: ${err.message}`), { responseCode: 451 }));
          return;
        }
        callback(null, `Message written to ${name}`);
        const shown = path.relative(repoRoot, file);
        simpleParser(raw).then(
          (mail) => log(`to ${to}: "${mail.subject ?? ''}" (${shown})`),
          () => log(`to ${to} (${shown})`),
        );
      });
    },
  });
  // A client that hangs up mid-message is its own problem, not the sink's.
  server.on('error', () => {});

  await new Promise((resolve, reject) => {
    const onError = (err) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`port ${port} (SMTP sink) is already in use — stop what uses it, set SMTP_SINK_PORT, or set SMTP_URL to send through another SMTP server`)
          : err,
      );
    };
    server.server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const actualPort = server.server.address().port;
  return {
    url: `smtp://127.0.0.1:${actualPort}`,
    port: actualPort,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
