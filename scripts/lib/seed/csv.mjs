// Reading the etsr_*.csv tables with line numbers, so every problem can be reported as file:line.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

/** The columns each table must have (more are ignored). */
export const TABLES = {
  users: ['user_id', 'name', 'email', 'phone', 'created_at'],
  venues: ['venue_id', 'name', 'city', 'capacity'],
  events: ['event_id', 'venue_id', 'title', 'event_type', 'event_date', 'base_price', 'status'],
  seats: ['seat_id', 'event_id', 'section', 'row', 'seat_number', 'price'],
  orders: ['order_id', 'user_id', 'event_id', 'status', 'payment_status', 'order_total', 'created_at'],
  payments: ['payment_id', 'order_id', 'amount', 'method', 'status', 'reference', 'created_at'],
  tickets: ['ticket_id', 'order_id', 'event_id', 'seat_id', 'price_paid'],
};

/**
 * Rows of etsr_<table>.csv as { line, file, values }. A row with too few or too many fields is
 * reported (problems) and left out; a header without a required column leaves the whole table out.
 */
export function readTable(dir, table, report) {
  const file = `etsr_${table}.csv`;
  const path = join(dir, file);
  if (!existsSync(path)) {
    report(`${file}: not found; the table is empty`);
    return { file, rows: [] };
  }
  const records = parse(readFileSync(path), { info: true, relax_column_count: true, skip_empty_lines: true, trim: true, bom: true });
  if (!records.length) return { file, rows: [] };
  const header = records[0].record;
  const missing = TABLES[table].filter((c) => !header.includes(c));
  if (missing.length) {
    report(`${file}:1: missing column(s) ${missing.join(', ')}; the whole table is skipped`);
    return { file, rows: [], skipped: records.length - 1 };
  }
  const rows = [];
  let skipped = 0;
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    if (record.length !== header.length) {
      report(`${file}:${line}: ${record.length} field(s) where the header has ${header.length}; row skipped`);
      skipped++;
      continue;
    }
    rows.push({ file, line, values: Object.fromEntries(header.map((h, i) => [h, record[i]])) });
  }
  return { file, rows, skipped };
}
