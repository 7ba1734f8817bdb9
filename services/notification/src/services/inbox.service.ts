import { Injectable } from '@nestjs/common';
import { notFound } from '@etsr/platform';
import { NotificationAttachmentEntity } from '../entities/notification-attachment.entity';
import { NotificationEntity } from '../entities/notification.entity';
import { NotificationsRepository } from '../repositories/notifications.repository';
import { SafeHtml, html, trustedHtml } from '../templates/html';

export const INBOX_SIZE = 50;

/**
 * A development page listing the latest notifications, and one page per notification showing the
 * e-mail as rendered. Server-rendered; every value escaped (the `html` template); the e-mail itself
 * is shown in a sandboxed iframe (srcdoc: no scripts, no same origin), with its QR images inlined
 * as data: URLs instead of cid: references.
 */
@Injectable()
export class InboxService {
  constructor(private readonly notifications: NotificationsRepository) {}

  async list(): Promise<string> {
    const rows = await this.notifications.latest(INBOX_SIZE);
    return page(
      'Notification inbox',
      html`
      <h1>Notification inbox</h1>
      <p class="muted">The latest ${INBOX_SIZE} notifications, newest first. Development only: this page does not exist in production.</p>
      ${
        rows.length === 0
          ? html`<p>No notifications yet.</p>`
          : html`<table>
        <thead><tr><th>time</th><th>type</th><th>channel</th><th>recipient</th><th>subject / text</th><th>status</th><th>attempts</th></tr></thead>
        <tbody>${rows.map(row)}</tbody>
      </table>`
      }`,
    );
  }

  async message(id: string): Promise<string> {
    const n = await this.notifications.findWithBody(id);
    if (!n) throw notFound(`Notification ${id} not found`, 'NOTIFICATION_NOT_FOUND');
    const attachments = n.channel === 'EMAIL' ? await this.notifications.attachmentsOf(id) : [];
    return page(
      n.subject ?? `SMS to ${n.recipient}`,
      html`
      <p><a href="/inbox">&larr; inbox</a></p>
      <h1>${n.subject ?? `SMS to ${n.recipient}`}</h1>
      <dl>
        <dt>time</dt><dd>${n.createdAt.toISOString()}</dd>
        <dt>type</dt><dd>${n.type} (${n.channel})</dd>
        <dt>to</dt><dd>${n.recipient}</dd>
        <dt>status</dt><dd>${status(n)}</dd>
        <dt>notification</dt><dd><code>${n.id}</code> of event <code>${n.eventId}</code></dd>
        ${attachments.length ? html`<dt>attachments</dt><dd>${attachments.map((a) => html`<code>${a.filename}</code> `)}</dd>` : ''}
      </dl>
      ${n.bodyHtml ? html`<iframe title="e-mail body" sandbox srcdoc="${inlineImages(n.bodyHtml, attachments)}"></iframe>` : ''}
      <h2>Text</h2>
      <pre>${n.bodyText ?? NOT_RENDERED}</pre>`,
    );
  }
}

/** Receiving stores the event only; the sender renders the message when it first takes it up. */
const NOT_RENDERED = '(not rendered yet: the sender renders it when it first sends it)';

function row(n: NotificationEntity): SafeHtml {
  const what = n.channel === 'EMAIL' ? html`<a href="/inbox/${n.id}">${n.subject}</a>` : html`<a href="/inbox/${n.id}">${n.bodyText ?? NOT_RENDERED}</a>`;
  return html`<tr><td>${n.createdAt.toISOString()}</td><td>${n.type}</td><td>${n.channel}</td><td>${n.recipient}</td><td>${what}</td><td>${status(n)}</td><td>${n.attempts}</td></tr>`;
}

function status(n: NotificationEntity): SafeHtml {
  const detail = n.status === 'PENDING' && n.lastError ? html` <span class="muted">(last error: ${n.lastError})</span>` : n.status === 'FAILED' ? html` <span class="muted">(${n.lastError})</span>` : '';
  return html`<span class="status-${n.status.toLowerCase()}">${n.status}</span>${detail}`;
}

/** The e-mail's cid: image references as data: URLs, so the browser can show them. */
function inlineImages(body: string, attachments: NotificationAttachmentEntity[]): string {
  let out = body;
  for (const a of attachments) out = out.split(`cid:${a.contentId}`).join(`data:${a.contentType};base64,${a.content.toString('base64')}`);
  return out;
}

function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${trustedHtml(STYLE)}</style>
</head>
<body>
${body}
</body>
</html>
`.value;
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #f4f4f4; }
.muted { color: #777; }
.status-sent { color: #176e2a; font-weight: bold; }
.status-pending { color: #8a5a00; font-weight: bold; }
.status-failed { color: #b00020; font-weight: bold; }
dl { display: grid; grid-template-columns: max-content auto; gap: 4px 16px; }
dt { font-weight: bold; }
dd { margin: 0; }
iframe { width: 100%; height: 70vh; border: 1px solid #ccc; }
pre { white-space: pre-wrap; background: #f8f8f8; padding: 12px; }
`;
