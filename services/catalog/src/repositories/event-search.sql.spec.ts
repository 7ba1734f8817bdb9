import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildEventSearchSql } from './event-search.sql';

const page = { descending: false, offset: 0, limit: 20 };

describe('buildEventSearchSql', () => {
  it('no filters: no WHERE, start date then id, ascending', () => {
    assert.deepEqual(buildEventSearchSql(page), { where: '', params: [], orderBy: 'ORDER BY e.start_date ASC, e.event_id ASC' });
    assert.equal(buildEventSearchSql({ ...page, descending: true }).orderBy, 'ORDER BY e.start_date DESC, e.event_id DESC');
  });

  it('every filter is a parameter, written as its index expects, combined with AND', () => {
    const from = new Date('2025-12-01T00:00:00Z');
    const to = new Date('2026-01-01T00:00:00Z');
    const sql = buildEventSearchSql({ ...page, city: 'New York', eventType: 'CONCERT', status: 'UPCOMING', startFrom: from, startTo: { at: to, inclusive: false }, nameContains: 'Rock' });
    assert.equal(
      sql.where,
      "WHERE lower(v.city) = lower($1) AND e.event_type = $2 AND e.status = $3 AND e.start_date >= $4 AND e.start_date < $5 AND lower(e.name) LIKE lower($6) ESCAPE '\\'",
    );
    assert.deepEqual(sql.params, ['New York', 'CONCERT', 'UPCOMING', from, to, '%Rock%']);
    assert.match(buildEventSearchSql({ ...page, startTo: { at: to, inclusive: true } }).where, /e\.start_date <= \$1/);
  });

  it('user text never becomes SQL', () => {
    const sql = buildEventSearchSql({ ...page, city: "x'; DROP TABLE events;--", nameContains: "'); DELETE FROM venues;--" });
    assert.doesNotMatch(sql.where, /DROP|DELETE/);
  });
});
