import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { facilitiesProblem, formatInstant, parseDateTime, parseIsoInstant } from './validation';

describe('parseIsoInstant', () => {
  const iso = (v: string) => parseIsoInstant(v)?.date.toISOString();

  it('reads dates as 00:00 UTC of that day', () => {
    assert.deepEqual(parseIsoInstant('2025-12-01'), { date: new Date('2025-12-01T00:00:00Z'), dateOnly: true });
    assert.equal(iso('2024-02-29'), '2024-02-29T00:00:00.000Z');
  });

  it('reads date-times with Z, an offset, or none (UTC), with optional seconds and fractions', () => {
    assert.equal(iso('2025-12-01T19:00:00Z'), '2025-12-01T19:00:00.000Z');
    assert.equal(iso('2025-12-01T19:00:00z'), '2025-12-01T19:00:00.000Z');
    assert.equal(iso('2025-12-01T19:00'), '2025-12-01T19:00:00.000Z');
    assert.equal(iso('2025-12-01 19:00:00'), '2025-12-01T19:00:00.000Z');
    assert.equal(iso('2025-12-01T21:00:00+02:00'), '2025-12-01T19:00:00.000Z');
    assert.equal(iso('2025-12-01T14:00:00-0500'), '2025-12-01T19:00:00.000Z');
    assert.equal(iso('2025-12-01T19:00:00+05'), '2025-12-01T14:00:00.000Z');
    assert.equal(iso('2025-12-01T19:00:00.5Z'), '2025-12-01T19:00:00.500Z');
    assert.equal(iso('2025-12-01T19:00:00.123456789Z'), '2025-12-01T19:00:00.123Z');
    assert.equal(iso('0099-01-01T00:00:00Z'), '0099-01-01T00:00:00.000Z');
    assert.equal(parseIsoInstant('2025-12-01T19:00:00Z')?.dateOnly, false);
  });

  it('refuses everything else', () => {
    for (const v of [
      '', 'tomorrow', '2025-12-1', '2025-13-01', '2025-00-10', '2025-02-29', '2023-04-31', '2025-12-01T24:00:00Z', '2025-12-01T19:60:00Z',
      '2025-12-01T19:00:60Z', '2025-12-01T19Z', '2025-12-01T19:00:00+24:00', '2025-12-01T19:00:00+02:60', '2025-W48-1', '2025-335',
      '20251201', '2025-12-01Z', ' 2025-12-01', '2025-12-01T19:00:00ZZ', '+002025-12-01', '1733079600000', 'x'.repeat(100),
    ]) {
      assert.equal(parseIsoInstant(v), undefined, v);
    }
    for (const v of [null, undefined, 1733079600000, {}, ['2025-12-01']]) assert.equal(parseIsoInstant(v), undefined, String(v));
  });

  it('parseDateTime wants a time of day', () => {
    assert.equal(parseDateTime('2025-12-01'), undefined);
    assert.equal(parseDateTime('2025-12-01T19:00:00Z')?.toISOString(), '2025-12-01T19:00:00.000Z');
  });
});

describe('formatInstant', () => {
  it('prints UTC as the API documents it, with a fraction only when there is one', () => {
    assert.equal(formatInstant(new Date('2025-12-01T19:00:00Z')), '2025-12-01T19:00:00Z');
    assert.equal(formatInstant(new Date('2026-11-21T06:06:25.542Z')), '2026-11-21T06:06:25.542Z');
    assert.equal(formatInstant(new Date('2026-11-21T06:06:25.500Z')), '2026-11-21T06:06:25.500Z');
  });
});

describe('facilitiesProblem', () => {
  it('accepts objects of booleans and short texts, up to 50 entries', () => {
    assert.equal(facilitiesProblem({}), undefined);
    assert.equal(facilitiesProblem({ parking: true, wifi: false, food_court: 'level 2' }), undefined);
    assert.equal(facilitiesProblem(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, true]))), undefined);
  });

  it('names what is wrong with anything else', () => {
    assert.match(facilitiesProblem([])!, /JSON object/);
    assert.match(facilitiesProblem(null)!, /JSON object/);
    assert.match(facilitiesProblem('wifi')!, /JSON object/);
    assert.match(facilitiesProblem(new Date())!, /JSON object/);
    assert.match(facilitiesProblem(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, true])))!, /at most 50/);
    assert.match(facilitiesProblem({ '': true })!, /keys/);
    assert.match(facilitiesProblem({ [' '.repeat(3)]: true })!, /keys/);
    assert.match(facilitiesProblem({ ['k'.repeat(51)]: true })!, /keys/);
    for (const value of [1, null, {}, [], 'x'.repeat(201)]) assert.match(facilitiesProblem({ parking: value })!, /values/, JSON.stringify(value));
  });
});
