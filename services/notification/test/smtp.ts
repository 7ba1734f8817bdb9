import { AddressInfo } from 'node:net';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface TestSmtpServer {
  port: number;
  url: string;
  /** Every message accepted so far, parsed. */
  messages: ParsedMail[];
  /** What happened on the server, in order: `open 1`, `mail 1` (MAIL FROM), `data 1` (end of DATA), `close 1`, … by connection number. */
  events: string[];
  /** Resolves once `count` messages arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  stop(): Promise<void>;
}

export interface TestSmtpOptions {
  /** A port to listen on again (a server that "comes back"); a free one by default. */
  port?: number;
  /** Messages collected by an earlier instance, to keep counting across a restart. */
  messages?: ParsedMail[];
  /** Answer RCPT TO for these addresses with 550. */
  rejectRecipients?: string[];
  /**
   * A stalled server, on its first `connections` connections: the greeting comes after
   * `greetingDelayMs` (a slow server, slow at every step), and the reply to the end of DATA never
   * comes while the client waits; once the client hangs up, the message is accepted all the same,
   * as a server that had queued it before it could answer delivers it.
   */
  stall?: { connections: number; greetingDelayMs: number };
}

/**
 * A real SMTP server on 127.0.0.1 for tests (smtp-server): no TLS, no authentication, every message
 * accepted and parsed with mailparser.
 */
export async function startTestSmtpServer(options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
  const messages = options.messages ?? [];
  const waiters = new Set<() => void>();
  const events: string[] = [];
  const connectionNumbers = new Map<string, number>();
  const onClosed = new Map<string, () => void>();
  const stalled = (n: number) => options.stall !== undefined && n <= options.stall.connections;
  const accept = (mail: ParsedMail) => {
    messages.push(mail);
    for (const wake of waiters) wake();
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    closeTimeout: 200,
    onConnect(session, callback) {
      const n = connectionNumbers.size + 1;
      connectionNumbers.set(session.id, n);
      events.push(`open ${n}`);
      if (stalled(n)) setTimeout(callback, options.stall!.greetingDelayMs);
      else callback();
    },
    onClose(session) {
      events.push(`close ${connectionNumbers.get(session.id)}`);
      onClosed.get(session.id)?.();
    },
    onMailFrom(_address, session, callback) {
      events.push(`mail ${connectionNumbers.get(session.id)}`);
      callback();
    },
    onRcptTo(address, _session, callback) {
      if (options.rejectRecipients?.includes(address.address)) {
        const err = Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 });
        callback(err);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const n = connectionNumbers.get(session.id)!;
      // keepCidLinks: the HTML as sent (mailparser would otherwise inline cid: images as data: URLs).
      simpleParser(stream, { keepCidLinks: true }).then(
        (mail) => {
          events.push(`data ${n}`);
          if (stalled(n)) {
            onClosed.set(session.id, () => accept(mail));
            return;
          }
          accept(mail);
          callback();
        },
        (e: Error) => callback(e),
      );
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    events,
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (messages.length < count) return;
          cleanup();
          resolve(messages);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`expected ${count} message(s) within ${timeoutMs} ms, got ${messages.length}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The free port of a server started and stopped at once: nothing listens there (an SMTP server that is down). */
export async function deadPort(): Promise<number> {
  const smtp = await startTestSmtpServer();
  await smtp.stop();
  return smtp.port;
}

/** PNG files start with these 8 bytes. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
