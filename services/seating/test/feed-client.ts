import { eventually } from '@etsr/platform/testing';

export interface FeedMessage {
  id?: string;
  data: any;
}

/** A follower of GET /v1/seats/stream, as a page's EventSource would be: parses the messages as they arrive. */
export interface Feed {
  status: number;
  headers: Headers;
  /** The body of a refusal (404, 503). */
  text: string;
  messages: FeedMessage[];
  comments: string[];
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  /** Waits for a message matching `match` (looking at those received already too). */
  next(match: (m: FeedMessage) => boolean, what?: string, timeoutMs?: number): Promise<FeedMessage>;
  close(): void;
}

export async function openFeed(baseUrl: string, eventId: number, headers: Record<string, string> = {}): Promise<Feed> {
  const abort = new AbortController();
  const res = await fetch(new URL(`/v1/seats/stream?eventId=${eventId}`, baseUrl), { headers, signal: abort.signal });
  const messages: FeedMessage[] = [];
  const comments: string[] = [];
  let ended: Promise<void> = Promise.resolve();
  if (res.status === 200 && res.body) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    ended = (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            let id: string | undefined;
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) comments.push(line.slice(1).trim());
              else if (line.startsWith('id: ')) id = line.slice(4);
              else if (line.startsWith('data: ')) data.push(line.slice(6));
            }
            if (data.length) messages.push({ id, data: JSON.parse(data.join('\n')) });
          }
        }
      } catch {
        /* aborted by close() */
      }
    })();
  }
  const text = res.status === 200 ? '' : await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    messages,
    comments,
    ended,
    next: (match, what = 'a feed message', timeoutMs = 10_000) =>
      eventually(() => messages.find(match), timeoutMs, () => `${what}; received ${JSON.stringify(messages)}`),
    close: () => abort.abort(),
  };
}
