// Loads a directory of etsr_*.csv tables through the services' import endpoints (never their
// databases). Every record carries '<source>:<table>:<csv id>', so a second run creates nothing.
import { basename, resolve } from 'node:path';
import { readTable } from './csv.mjs';
import { PAYMENT_METHODS, PAYMENT_STATUSES, ORDER_STATUSES, RowError, cents, frontToBack, id, instant, mapEvent, mapSeat, mapUser, mapVenue, money, uuidFor } from './mapping.mjs';
import { progress } from './progress.mjs';

const chunks = (list, size) => Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));
const TABLE_ORDER = ['users', 'venues', 'events', 'seats', 'orders', 'payments', 'tickets'];

export async function importDirectory({ dir, api, source = basename(resolve(dir)), country = 'India', currency = 'INR', now = Date.now(), log = console.log, out = process.stdout }) {
  const counts = Object.fromEntries(TABLE_ORDER.map((t) => [t, { read: 0, created: 0, present: 0, skipped: 0 }]));
  const problems = [];
  const report = (message) => {
    problems.push(message);
    log(`  skipped ${message}`);
  };
  const ref = (table, csvId) => `${source}:${table}:${csvId}`;
  const tables = {};
  for (const table of TABLE_ORDER) {
    const { rows, skipped = 0 } = readTable(dir, table, (m) => report(m));
    tables[table] = rows;
    counts[table].read = rows.length + skipped;
    counts[table].skipped += skipped;
  }
  const skip = (table, row, reason) => {
    counts[table].skipped++;
    report(`${row.file}:${row.line}: ${reason}`);
  };
  /** Runs a mapper over a table's rows; rows that throw RowError or repeat an id are skipped. */
  const valid = (table, idColumn, map) => {
    const seen = new Map();
    const result = [];
    for (const row of tables[table]) {
      const key = row.values[idColumn];
      if (seen.has(key)) {
        skip(table, row, `${idColumn} ${key} repeats line ${seen.get(key)}`);
        continue;
      }
      seen.set(key, row.line);
      try {
        const body = map(row.values, row);
        if (body !== undefined) result.push({ row, body });
      } catch (err) {
        if (!(err instanceof RowError)) throw err;
        skip(table, row, err.message);
      }
    }
    return result;
  };
  const tally = (table, res) => {
    counts[table].created += res.created;
    counts[table].present += res.present;
  };

  // Users: no password; the owners set one with a setup token.
  log(`Importing ${resolve(dir)} as "${source}"`);
  const users = new Map();
  const userRows = valid('users', 'user_id', (v) => mapUser(v, ref('users', v.user_id)));
  for (const batch of chunks(userRows, 200)) {
    const res = await api.must('user', 'POST', '/internal/v1/import/users', { users: batch.map((u) => u.body) });
    tally('users', res);
    res.users.forEach((u, i) => {
      if (u.outcome === 'conflict') {
        skip('users', batch[i].row, `${u.error}: the e-mail ${batch[i].body.email} belongs to an account of another origin`);
      } else users.set(batch[i].row.values.user_id, { userId: u.userId, email: batch[i].body.email });
    });
  }

  const venues = new Map();
  const venueRows = valid('venues', 'venue_id', (v) => mapVenue(v, ref('venues', v.venue_id), country));
  for (const batch of chunks(venueRows, 200)) {
    const res = await api.must('catalog', 'POST', '/internal/v1/import/venues', { venues: batch.map((v) => v.body) });
    tally('venues', res);
    res.rows.forEach((r, i) => venues.set(batch[i].row.values.venue_id, r.id));
  }

  // Seats are checked before events: an event's total_seats is the number of its seats.
  const eventIds = new Set(tables.events.map((r) => r.values.event_id));
  const positions = new Map();
  const seatRows = valid('seats', 'seat_id', (v, row) => {
    const seat = mapSeat(v);
    if (!eventIds.has(v.event_id)) throw new RowError(`event_id ${v.event_id} is not in etsr_events.csv`);
    const key = `${v.event_id}|${seat.section}|${seat.row}|${seat.number}`;
    if (positions.has(key)) throw new RowError(`seat ${seat.section}-${seat.row}-${seat.number} of event ${v.event_id} repeats line ${positions.get(key)}`);
    positions.set(key, row.line);
    return seat;
  });
  const seatsOfEvent = new Map();
  for (const s of seatRows) {
    const list = seatsOfEvent.get(s.row.values.event_id) ?? [];
    list.push(s);
    seatsOfEvent.set(s.row.values.event_id, list);
  }

  const events = new Map();
  const eventRows = valid('events', 'event_id', (v) => {
    const venueId = venues.get(v.venue_id);
    if (!venueId) throw new RowError(`venue_id ${v.venue_id} is not an imported venue`);
    const totalSeats = seatsOfEvent.get(v.event_id)?.length || Number(tables.venues.find((r) => r.values.venue_id === v.venue_id)?.values.capacity) || 1;
    return mapEvent(v, ref('events', v.event_id), { venueId, totalSeats, now });
  });
  for (const batch of chunks(eventRows, 200)) {
    const res = await api.must('catalog', 'POST', '/internal/v1/import/events', { events: batch.map((e) => e.body) });
    tally('events', res);
    res.rows.forEach((r, i) => events.set(batch[i].row.values.event_id, { eventId: r.id, venueId: batch[i].body.venue_id, name: batch[i].body.name }));
  }

  const seats = new Map();
  const bar = progress('seats', seatRows.length, out);
  for (const [csvEvent, list] of seatsOfEvent) {
    const event = events.get(csvEvent);
    if (!event) {
      for (const s of list) skip('seats', s.row, `event ${csvEvent} was not imported`);
      bar.advance(list.length);
      continue;
    }
    const ordered = [...list].sort((a, b) => frontToBack(a.body, b.body));
    for (const batch of chunks(ordered, 2000)) {
      const res = await api.must('seating', 'POST', '/internal/v1/import/seats', { eventId: event.eventId, venueId: event.venueId, seats: batch.map((s) => s.body) });
      tally('seats', res);
      res.seats.forEach((s, i) => seats.set(batch[i].row.values.seat_id, { seatId: s.seatId, event: csvEvent, code: `${s.section}-${s.row}-${s.number}`, line: batch[i].row.line }));
      bar.advance(batch.length);
    }
  }
  bar.end();

  // History: decide each order from its payment and tickets, then write seating, payment, order.
  const noTicket = (m) => {
    counts.tickets.unpaid = (counts.tickets.unpaid ?? 0) + 1;
    log(`  no ticket ${m}`);
  };
  const plan = planHistory({ tables, valid, skip, note: noTicket, users, events, seats, ref, currency });
  const paid = plan.filter((o) => o.order.status === 'CONFIRMED');
  for (let batch of chunks(paid, 100)) {
    for (;;) {
      const body = { allocations: batch.map((o) => ({ orderId: o.order.orderId, eventId: o.order.eventId, userId: o.order.userId, seatIds: o.order.items.map((i) => i.seatId), totalAmount: o.order.totalCents / 100, allocatedAt: o.order.createdAt })) };
      const res = await api.call('seating', 'POST', '/internal/v1/import/allocations', body);
      if (res.status === 409 && res.body?.details?.orderId) {
        // A seat of this order is sold already (e.g. by a live booking): leave the order out, retry the rest.
        const lost = batch.find((o) => o.order.orderId === res.body.details.orderId);
        dropOrder(lost, `seat(s) ${res.body.details.seatIds?.join(', ')} not available in seating`);
        batch = batch.filter((o) => o !== lost);
        if (!batch.length) break;
        continue;
      }
      if (res.status !== 200) throw new Error(`seating: POST /internal/v1/import/allocations answered ${res.status}: ${res.text.slice(0, 500)}`);
      break;
    }
  }
  function dropOrder(o, reason) {
    o.dropped = true;
    skip('orders', o.row, reason);
    if (o.payment) skip('payments', o.payment.row, `its order (line ${o.row.line}) was skipped`);
    for (const t of o.tickets) skip('tickets', t.row, `its order (line ${o.row.line}) was skipped`);
  }
  const kept = plan.filter((o) => !o.dropped);

  const withPayment = kept.filter((o) => o.payment);
  for (const batch of chunks(withPayment, 200)) {
    const res = await api.must('payment', 'POST', '/internal/v1/import/payments', { payments: batch.map((o) => o.payment.body) });
    tally('payments', res);
    res.payments.forEach((p, i) => {
      if (batch[i].order.status === 'CONFIRMED') batch[i].order.paymentId = p.paymentId;
    });
  }

  const bar2 = progress('orders', kept.length, out);
  for (const batch of chunks(kept, 100)) {
    const res = await api.must('order', 'POST', '/internal/v1/import/orders', { orders: batch.map((o) => o.order) });
    tally('orders', res);
    res.orders.forEach((r, i) => {
      const issued = batch[i].tickets.length;
      if (batch[i].order.status !== 'CONFIRMED') return;
      if (r.created) counts.tickets.created += r.ticketsIssued;
      else counts.tickets.present += issued;
    });
    bar2.advance(batch.length);
  }
  bar2.end();
  return { counts, problems, source };
}

/**
 * Per order: SUCCESS payment → CONFIRMED with its payment, seats ALLOCATED, tickets; FAILED or
 * PENDING → CANCELLED, the payment recorded as FAILED, no tickets, seats left on sale. A seat can
 * be sold once: a later paid order's ticket for it is skipped (the first in file order keeps it).
 */
function planHistory({ tables, valid, skip, note, users, events, seats, ref, currency }) {
  const payments = new Map();
  const ordersById = new Map(tables.orders.map((r) => [r.values.order_id, r]));
  valid('payments', 'payment_id', (v, row) => {
    id(v.payment_id, 'payment_id');
    if (!ordersById.has(v.order_id)) throw new RowError(`order_id ${v.order_id} is not in etsr_orders.csv`);
    const status = (v.status ?? '').toUpperCase();
    if (!PAYMENT_STATUSES.includes(status)) throw new RowError(`status "${v.status}" is unknown`);
    const method = PAYMENT_METHODS[(v.method ?? '').toUpperCase()];
    if (!method) throw new RowError(`method "${v.method}" is unknown`);
    const amount = money(v.amount, 'amount');
    if (amount <= 0) throw new RowError('amount must be above 0');
    if (payments.has(v.order_id)) throw new RowError(`order ${v.order_id} already has payment ${payments.get(v.order_id).row.values.payment_id}; one payment per order is imported`);
    const entry = { row, status, body: { externalRef: ref('payments', v.payment_id), amountCents: cents(amount), currency, paymentMethod: method, createdAt: instant(v.created_at, 'created_at'), ...(v.reference ? { transactionId: v.reference.slice(0, 100) } : {}) } };
    payments.set(v.order_id, entry);
    return entry;
  });

  const ticketsOf = new Map();
  valid('tickets', 'ticket_id', (v, row) => {
    id(v.ticket_id, 'ticket_id');
    const order = ordersById.get(v.order_id);
    if (!order) throw new RowError(`order_id ${v.order_id} is not in etsr_orders.csv`);
    if (v.event_id !== order.values.event_id) throw new RowError(`event ${v.event_id} differs from its order's event ${order.values.event_id}`);
    const seat = seats.get(v.seat_id);
    if (!seat) throw new RowError(`seat_id ${v.seat_id} was not imported`);
    if (seat.event !== v.event_id) throw new RowError(`seat ${v.seat_id} belongs to event ${seat.event}, not ${v.event_id}`);
    const entry = { row, seat, priceCents: cents(money(v.price_paid, 'price_paid')) };
    const list = ticketsOf.get(v.order_id) ?? [];
    if (list.some((x) => x.seat === seat)) throw new RowError(`seat ${v.seat_id} appears twice in order ${v.order_id}`);
    list.push(entry);
    ticketsOf.set(v.order_id, list);
    return entry;
  });

  const soldBy = new Map();
  const plan = [];
  for (const { row, body } of valid('orders', 'order_id', (v) => {
    id(v.order_id, 'order_id');
    const user = users.get(v.user_id);
    if (!user) throw new RowError(`user_id ${v.user_id} is not an imported user`);
    const event = events.get(v.event_id);
    if (!event) throw new RowError(`event_id ${v.event_id} is not an imported event`);
    const orderStatus = (v.status ?? '').toUpperCase();
    if (!ORDER_STATUSES.includes(orderStatus)) throw new RowError(`status "${v.status}" is unknown`);
    const paymentStatus = (payments.get(v.order_id)?.status ?? v.payment_status ?? '').toUpperCase();
    if (!PAYMENT_STATUSES.includes(paymentStatus)) throw new RowError(`payment_status "${v.payment_status}" is unknown`);
    return { user, event, paymentStatus, total: cents(money(v.order_total, 'order_total')), createdAt: instant(v.created_at, 'created_at') };
  })) {
    const v = row.values;
    const payment = payments.get(v.order_id);
    const paidOk = body.paymentStatus === 'SUCCESS';
    const tickets = [];
    for (const t of ticketsOf.get(v.order_id) ?? []) {
      if (paidOk && soldBy.has(t.seat)) {
        skip('tickets', t.row, `seat ${t.row.values.seat_id} was sold already (ticket line ${soldBy.get(t.seat).row.line}); a seat is sold once`);
        continue;
      }
      if (paidOk) soldBy.set(t.seat, t);
      tickets.push(t);
    }
    if (!tickets.length) {
      skip('orders', row, 'none of its tickets can be imported, so it would have no seats');
      if (payment) skip('payments', payment.row, `its order (line ${row.line}) was skipped`);
      continue;
    }
    const subtotal = tickets.reduce((n, t) => n + t.priceCents, 0);
    const tax = Math.max(0, body.total - subtotal);
    const orderId = uuidFor(ref('orders', v.order_id));
    const order = {
      orderId,
      externalRef: ref('orders', v.order_id),
      userId: body.user.userId,
      customerEmail: body.user.email,
      eventId: body.event.eventId,
      eventName: body.event.name,
      status: paidOk ? 'CONFIRMED' : 'CANCELLED',
      subtotalCents: subtotal,
      taxCents: tax,
      totalCents: subtotal + tax,
      currency,
      createdAt: body.createdAt,
      items: tickets.map((t) => ({ seatId: t.seat.seatId, seatCode: t.seat.code, priceCents: t.priceCents })),
      ...(paidOk ? {} : { failureReason: body.paymentStatus === 'FAILED' ? 'Payment failed' : 'Payment never completed' }),
    };
    if (!paidOk) {
      // Tickets of an unpaid order were never valid: the order keeps its seats as items only. The
      // rows are used (as items), so they are noted rather than counted as skipped.
      for (const t of tickets) note(`${t.row.file}:${t.row.line}: order ${v.order_id} was not paid (${body.paymentStatus}): the seat stays an item of the order, no ticket`);
    }
    const paymentEntry = payment && {
      row: payment.row,
      body: {
        ...payment.body,
        merchantOrderId: orderId,
        userId: body.user.userId,
        status: paidOk ? 'SUCCESS' : 'FAILED',
        ...(paidOk ? {} : { failureReason: payment.status === 'PENDING' ? 'Never completed (PENDING in the source)' : 'Declined (imported history)' }),
      },
    };
    if (paidOk && !paymentEntry) {
      skip('orders', row, 'payment_status SUCCESS but no payment row: a paid order needs its payment');
      for (const t of tickets) {
        soldBy.delete(t.seat);
        skip('tickets', t.row, `its order (line ${row.line}) was skipped`);
      }
      continue;
    }
    plan.push({ row, order, payment: paymentEntry, tickets: paidOk ? tickets : [] });
  }
  return plan;
}

/** The final table: read / created / already present / skipped per table. */
export function formatCounts(counts) {
  const lines = [`${'table'.padEnd(10)}${'read'.padStart(8)}${'created'.padStart(9)}${'present'.padStart(9)}${'skipped'.padStart(9)}`];
  for (const [table, c] of Object.entries(counts)) {
    lines.push(`${table.padEnd(10)}${String(c.read).padStart(8)}${String(c.created).padStart(9)}${String(c.present).padStart(9)}${String(c.skipped).padStart(9)}`);
  }
  // Ticket rows of unpaid orders fit no column: they were used (as order items), not skipped.
  if (counts.tickets?.unpaid) lines.push(`(tickets: ${counts.tickets.unpaid} row(s) of unpaid orders became order items; no ticket was issued for them)`);
  return lines.join('\n');
}
