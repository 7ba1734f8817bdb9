import { startSeatingForTest, adminToken, userToken } from '/work/wt/plans/services/seating/dist/test/harness.js';
import pg from 'pg';
const FREE = `(status = 'AVAILABLE' OR (status = 'RESERVED' AND reservation_expiry < now()))`;
const OLD = `SELECT section, row_label, row_index, row_size, min(seat_number) AS first, max(seat_number) AS last,
              array_agg(seat_id ORDER BY seat_number) AS seat_ids, array_agg(pos_x ORDER BY seat_number) AS xs
         FROM (SELECT seat_id, section, row_label, row_index, row_size, seat_number, pos_x,
                      seat_number - row_number() OVER (PARTITION BY section, row_label ORDER BY seat_number) AS run
                 FROM seats WHERE event_id = $1 AND ($2::varchar IS NULL OR section = $2) AND ${FREE}) AS free
        GROUP BY section, row_label, row_index, row_size, run HAVING count(*) >= $3
        ORDER BY row_index, section, row_label, first LIMIT $4`;
const NEW = `SELECT section, row_label, row_index, row_size, segment_first, segment_last, min(seat_number) AS first, max(seat_number) AS last,
              array_agg(seat_id ORDER BY seat_number) AS seat_ids, array_agg(pos_x ORDER BY seat_number) AS xs
         FROM (SELECT seat_id, section, row_label, row_index, row_size, segment, seat_number, pos_x, segment_first, segment_last,
                      seat_number - row_number() OVER (PARTITION BY section, row_label, segment ORDER BY seat_number) AS run
                 FROM (SELECT seat_id, section, row_label, row_index, row_size, segment, seat_number, pos_x, status, reservation_expiry,
                              min(seat_number) OVER segment AS segment_first, max(seat_number) OVER segment AS segment_last
                         FROM seats WHERE event_id = $1 AND ($2::varchar IS NULL OR section = $2)
                       WINDOW segment AS (PARTITION BY section, row_label, segment)) AS everyone
                WHERE ${FREE}) AS free
        GROUP BY section, row_label, row_index, row_size, segment, segment_first, segment_last, run HAVING count(*) >= $3
        ORDER BY row_index, section, row_label, first LIMIT $4`;
const RUNS = `SELECT section, row_label, row_index, row_size, segment, min(seat_number) AS first, max(seat_number) AS last,
              array_agg(seat_id ORDER BY seat_number) AS seat_ids, array_agg(pos_x ORDER BY seat_number) AS xs
         FROM (SELECT seat_id, section, row_label, row_index, row_size, segment, seat_number, pos_x,
                      seat_number - row_number() OVER (PARTITION BY section, row_label, segment ORDER BY seat_number) AS run
                 FROM seats WHERE event_id = $1 AND ($2::varchar IS NULL OR section = $2) AND ${FREE}) AS free
        GROUP BY section, row_label, row_index, row_size, segment, run HAVING count(*) >= $3
        ORDER BY row_index, section, row_label, first LIMIT $4`;
const F = `WITH runs AS (${RUNS}),
  bounds AS (SELECT section, row_label, segment, min(seat_number) AS segment_first, max(seat_number) AS segment_last
               FROM seats WHERE event_id = $1 AND (section, row_label) IN (SELECT section, row_label FROM runs)
              GROUP BY section, row_label, segment)
  SELECT runs.*, segment_first, segment_last FROM runs JOIN bounds USING (section, row_label, segment)
   ORDER BY row_index, section, row_label, first`;
const L = `WITH runs AS (${RUNS}),
  bounds AS (SELECT r.section, r.row_label, b.segment, b.segment_first, b.segment_last
               FROM (SELECT DISTINCT section, row_label FROM runs) AS r,
               LATERAL (SELECT segment, min(seat_number) AS segment_first, max(seat_number) AS segment_last FROM seats s
                         WHERE s.event_id = $1 AND s.section = r.section AND s.row_label = r.row_label GROUP BY segment) AS b)
  SELECT runs.*, segment_first, segment_last FROM runs JOIN bounds USING (section, row_label, segment)
   ORDER BY row_index, section, row_label, first`;
const A = `SELECT runs.*, b.segment_first, b.segment_last FROM (${RUNS}) AS runs,
   LATERAL (SELECT min(seat_number) AS segment_first, max(seat_number) AS segment_last FROM seats s
             WHERE s.event_id = $1 AND s.section = runs.section AND s.row_label = runs.row_label AND s.segment = runs.segment) AS b
   ORDER BY row_index, section, row_label, first`;
const svc = await startSeatingForTest();
const db = new pg.Client({ connectionString: svc.db.url });
await db.connect();
try {
  const rows = Array.from({ length: 100 }, () => ({ seats: 200, aisles: [50, 100, 150] }));
  let r = await svc.api.post('/v1/seats/bulk', { token: adminToken(), body: { eventId: 1, venueId: 1, sections: [{ name: 'FLOOR', price: 80, rows }] } });
  console.log('plan', r.status, r.body);
  const time = async (label, sql) => {
    const ms = [];
    for (let i = 0; i < 20; i++) { const t = process.hrtime.bigint(); await db.query(sql, [1, null, 2, 500]); ms.push(Number(process.hrtime.bigint() - t) / 1e6); }
    ms.sort((a, b) => a - b);
    console.log(label, 'median', ms[10].toFixed(2), 'ms, p90', ms[18].toFixed(2), 'ms');
  };
  const NEW2 = NEW.replace('WINDOW segment AS (PARTITION BY section, row_label, segment)', 'WINDOW segment AS (PARTITION BY section, row_label, segment ORDER BY seat_number ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)');
  for (const [state, sql] of [['all free', null], ['front 90 rows sold', `UPDATE seats SET status='BLOCKED' WHERE event_id=1 AND row_index < 90`]]) {
    if (sql) { await db.query(sql); await db.query('VACUUM ANALYZE seats'); }
    for (const [label, q] of [['old', OLD], ['F', F], ['L', L], ['old', OLD], ['F', F], ['L', L]]) await time(`${state} ${label}`, q);
  }
} finally { await db.end(); await svc.stop(); }
