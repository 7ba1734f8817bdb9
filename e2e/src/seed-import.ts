import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, Stack } from './stack';

export interface ImportRun {
  code: number | null;
  output: string;
}

/**
 * Runs the real `node seedDataToDB.js [dir]` against the stack's services, as an operator would
 * from the repository root; without `dir` it loads its default, seed-data/.
 */
export function runSeedImport(stack: Stack, dir?: string, extra: string[] = []): Promise<ImportRun> {
  const args = [join(ROOT, 'seedDataToDB.js'), ...(dir === undefined ? [] : [dir]), ...extra];
  for (const name of ['user', 'catalog', 'seating', 'order', 'payment']) args.push(`--${name}-url`, stack.urls[name]);
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ADMIN_PASSWORD: 'Admin123!' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c));
  child.stderr.on('data', (c: Buffer) => (output += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

/** The counts line of one table in the importer's final table. */
export function countsOf(output: string, table: string): { read: number; created: number; present: number; skipped: number } {
  const line = output.split('\n').find((l) => new RegExp(`^${table}\\s+\\d`).test(l));
  if (!line) throw new Error(`no counts for ${table} in:\n${output}`);
  const [read, created, present, skipped] = line.trim().split(/\s+/).slice(1).map(Number);
  return { read, created, present, skipped };
}

/** A CSV file as objects (the seed files have no quoted commas). */
export function readCsv(dir: string, table: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(join(dir, `etsr_${table}.csv`), 'utf8').trim().split(/\r?\n/);
  const columns = header.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [columns[i], v])));
}

/**
 * What the import should produce, worked out from the files by the rules of seed-data/README.md:
 * one seat per position (the first row wins), a paid order (payment SUCCESS) gets a ticket for
 * each of its seats not sold before in file order, unpaid orders get none.
 */
export function expectedFrom(dir: string) {
  const seats = readCsv(dir, 'seats');
  const firstAt = new Map<string, string>();
  for (const s of seats) {
    const key = `${s.event_id}|${s.section}|${s.row}|${s.seat_number}`;
    if (!firstAt.has(key)) firstAt.set(key, s.seat_id);
  }
  const kept = new Set(firstAt.values());
  const payments = new Map(readCsv(dir, 'payments').map((p) => [p.order_id, p]));
  const ticketsOf = new Map<string, string[]>();
  for (const t of readCsv(dir, 'tickets')) ticketsOf.set(t.order_id, [...(ticketsOf.get(t.order_id) ?? []), t.seat_id]);
  const sold = new Set<string>();
  let tickets = 0;
  let paidOrders = 0;
  let orders = 0;
  for (const o of readCsv(dir, 'orders')) {
    const paid = (payments.get(o.order_id)?.status ?? o.payment_status) === 'SUCCESS';
    const mine = (ticketsOf.get(o.order_id) ?? []).filter((id) => kept.has(id) && !(paid && sold.has(id)));
    if (!mine.length) continue;
    orders++;
    if (paid) {
      paidOrders++;
      tickets += mine.length;
      mine.forEach((id) => sold.add(id));
    }
  }
  return { users: readCsv(dir, 'users').length, venues: readCsv(dir, 'venues').length, events: readCsv(dir, 'events').length, seats: kept.size, orders, paidOrders, tickets };
}
