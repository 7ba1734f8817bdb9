/** Longest wait a client may ask for: below proxies' and our own 30 s request timeouts. */
export const MAX_WAIT_SECONDS = 25;

/** `Prefer: wait=N` (RFC 7240), capped; 0 when absent or malformed (then nothing waits). Long-polls of orders and of waiting-room places. */
export function preferredWait(prefer: string | undefined): number {
  const m = /(?:^|[,;\s])wait=(\d{1,5})(?:$|[,;\s])/i.exec(prefer ?? '');
  return m ? Math.min(Number(m[1]), MAX_WAIT_SECONDS) : 0;
}
