// A minimal node:http + pg server used by the seating benchmark as a yardstick. It answers
// POST /reserve {eventId, seatIds, userId} in one of two ways, chosen by BASELINE:
//   ceiling      - the same conditional UPDATE ... RETURNING our service is built around, and
//                  nothing else (no framework, no auth, no validation, no reservation record);
//   serializable - the textbook design: a SERIALIZABLE transaction that reads
//                  the seats with SELECT ... FOR UPDATE, checks them, then updates them.
// Both are all-or-nothing and answer 201 or 409, like the seating service.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const mode = process.env.BASELINE;
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_SIZE ?? 20) });
const TTL = 900;

async function ceiling(eventId, seatIds, userId) {
  const id = `res_${randomBytes(12).toString('base64url')}`;
  const { rows } = await pool.query(
    `UPDATE seats SET status = 'RESERVED', reservation_id = $1, reserved_by = $2, reservation_expiry = now() + make_interval(secs => $5), updated_at = now()
      WHERE event_id = $3 AND seat_id = ANY ($4) AND status = 'AVAILABLE' RETURNING seat_id`,
    [id, userId, eventId, seatIds, TTL],
  );
  if (rows.length === seatIds.length) return { status: 201, body: { reservationId: id, seatIds } };
  if (rows.length) {
    // Partly taken: give back what this request got, so it stays all-or-nothing.
    await pool.query(`UPDATE seats SET status = 'AVAILABLE', reservation_id = NULL, reserved_by = NULL, reservation_expiry = NULL WHERE reservation_id = $1`, [id]);
  }
  const got = new Set(rows.map((r) => Number(r.seat_id)));
  return { status: 409, body: { error: 'SEAT_UNAVAILABLE', details: { seatIds: seatIds.filter((s) => !got.has(s)) } } };
}

async function serializable(eventId, seatIds, userId) {
  const id = `res_${randomBytes(12).toString('base64url')}`;
  for (let attempt = 0; attempt < 5; attempt++) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      const { rows } = await client.query(`SELECT seat_id, status FROM seats WHERE event_id = $1 AND seat_id = ANY ($2) FOR UPDATE`, [eventId, seatIds]);
      const taken = rows.filter((r) => r.status !== 'AVAILABLE').map((r) => Number(r.seat_id));
      if (rows.length !== seatIds.length || taken.length) {
        await client.query('ROLLBACK');
        return { status: 409, body: { error: 'SEAT_UNAVAILABLE', details: { seatIds: taken } } };
      }
      await client.query(
        `UPDATE seats SET status = 'RESERVED', reservation_id = $1, reserved_by = $2, reservation_expiry = now() + make_interval(secs => $4), updated_at = now()
          WHERE seat_id = ANY ($3)`,
        [id, userId, seatIds, TTL],
      );
      await client.query('COMMIT');
      return { status: 201, body: { reservationId: id, seatIds } };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (e.code !== '40001' && e.code !== '40P01') throw e;
    } finally {
      client.release();
    }
  }
  return { status: 409, body: { error: 'SERIALIZATION_FAILURE' } };
}

const handle = mode === 'serializable' ? serializable : ceiling;

const server = http.createServer((req, res) => {
  let data = '';
  req.on('data', (c) => (data += c));
  req.on('end', async () => {
    try {
      const { eventId, seatIds, userId } = JSON.parse(data);
      const { status, body } = await handle(eventId, seatIds, userId);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    } catch (e) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(e.message) }));
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
