import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import nodemailer from 'nodemailer';
import { NotificationConfig } from '../config';

export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  /** Content-ID: the HTML body shows the image with <img src="cid:…">. */
  contentId: string;
  content: Buffer;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The same Message-ID on every attempt, so a resend (after a crash or a timeout) can be recognised as a duplicate. */
  messageId: string;
  headers: Record<string, string>;
  attachments: OutgoingAttachment[];
}

/** An SMTP answer that will not change on retry: the server refused the recipient for good. */
export class PermanentDeliveryError extends Error {}

/**
 * Sends one e-mail; resolves with what the server called it once the server has accepted it. When
 * `signal` aborts, the attempt is given up: it rejects only once nothing of it is left running (no
 * connection that could still deliver), since the sender schedules the retry on that rejection.
 */
export abstract class MailTransport {
  abstract send(mail: OutgoingMail, signal: AbortSignal): Promise<{ providerMessageId: string }>;
}

/**
 * E-mail over SMTP with nodemailer: one connection per message (no pool), so a server that went
 * away and came back needs nothing but the next attempt. STARTTLS is used when the server offers it.
 * On abort nodemailer closes the connection before it rejects (socketCloseTimeout 0: at once), so
 * a reply that comes later reaches nobody and the attempt cannot be reported as delivered.
 */
@Injectable()
export class SmtpMailTransport extends MailTransport implements OnApplicationShutdown {
  private readonly transport;

  constructor(config: NotificationConfig) {
    super();
    const url = new URL(config.SMTP_URL);
    const secure = url.protocol === 'smtps:';
    this.transport = nodemailer.createTransport({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      auth: config.SMTP_USER ? { user: config.SMTP_USER, pass: config.SMTP_PASSWORD ?? '' } : undefined,
      connectionTimeout: config.SMTP_CONNECTION_TIMEOUT_MS,
      greetingTimeout: config.SMTP_GREETING_TIMEOUT_MS,
      socketTimeout: config.SMTP_SOCKET_TIMEOUT_MS,
      socketCloseTimeout: 0,
      logger: false,
    }, { from: config.MAIL_FROM });
  }

  async send(mail: OutgoingMail, signal: AbortSignal): Promise<{ providerMessageId: string }> {
    try {
      const info = await this.transport.sendMail({
        signal,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        headers: mail.headers,
        attachments: mail.attachments.map((a) => ({
          filename: a.filename,
          contentType: a.contentType,
          cid: a.contentId,
          content: a.content,
          contentDisposition: 'inline' as const,
        })),
      });
      return { providerMessageId: String(info.response ?? info.messageId).slice(0, 300) };
    } catch (e) {
      if (isPermanentRejection(e)) throw new PermanentDeliveryError(errorText(e));
      throw e;
    }
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}

/**
 * 550-553 to RCPT TO: the mailbox does not exist, is not accepted here, or the address is
 * malformed. Retrying cannot help. Every other failure (no connection, timeouts, 4xx, other 5xx
 * such as a misconfigured relay) is retried: it may be fixed by the time of the next attempt.
 */
export function isPermanentRejection(e: unknown): boolean {
  const err = e as { code?: string; responseCode?: number; command?: string };
  return err?.code === 'EENVELOPE' && typeof err.responseCode === 'number' && err.responseCode >= 550 && err.responseCode <= 553 && /RCPT/i.test(err.command ?? 'RCPT');
}

export function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const err = e as Error & { code?: string; response?: string };
  const detail = err.response && !err.message.includes(err.response) ? ` (${err.response})` : '';
  return `${err.code ? `${err.code}: ` : ''}${err.message}${detail}`;
}
