import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { AppError, conflict, tooManyRequests } from './app-error';
import { mapError } from './error-body';

const ctx = { traceId: 't'.repeat(32), path: '/v1/x' };

function pgError(code: string): QueryFailedError {
  return new QueryFailedError('SELECT 1', [], Object.assign(new Error('pg'), { code }));
}

describe('mapError', () => {
  it('keeps an AppError as it is, with details and headers', () => {
    const m = mapError(conflict('Seats taken', 'SEAT_UNAVAILABLE', { seatIds: [1, 2] }), ctx);
    assert.equal(m.body.statusCode, 409);
    assert.equal(m.body.error, 'SEAT_UNAVAILABLE');
    assert.deepEqual(m.body.details, { seatIds: [1, 2] });
    assert.equal(m.body.traceId, ctx.traceId);
    assert.equal(m.unexpected, false);
    assert.equal(mapError(tooManyRequests('slow down', 7), ctx).headers['Retry-After'], '7');
  });

  it('flags a 500 we raise for the log, not a 503 we raise on purpose (load shed, a peer away)', () => {
    assert.equal(mapError(new AppError(500, 'INTERNAL', 'broken'), ctx).unexpected, true);
    const busy = mapError(new AppError(503, 'BUSY', 'Try again in a second', undefined, { 'Retry-After': '1' }), ctx);
    assert.equal(busy.unexpected, false);
    assert.equal(busy.headers['Retry-After'], '1');
  });

  it('maps Nest and Fastify HTTP errors to codes by status', () => {
    assert.equal(mapError(new NotFoundException('Cannot GET /x'), ctx).body.error, 'NOT_FOUND');
    assert.equal(mapError(new BadRequestException(['a is bad', 'b is bad']), ctx).body.message, 'a is bad; b is bad');
    assert.equal(mapError(new HttpException('too big', 413), ctx).body.error, 'PAYLOAD_TOO_LARGE');
  });

  it('turns database errors caused by input into 4xx, never 500', () => {
    assert.equal(mapError(pgError('22P02'), ctx).body.statusCode, 400);
    assert.equal(mapError(pgError('22003'), ctx).body.statusCode, 400);
    assert.equal(mapError(pgError('23505'), ctx).body.statusCode, 409);
    assert.equal(mapError(pgError('40P01'), ctx).body.statusCode, 503);
  });

  it('answers 503 when the database cannot be reached', () => {
    const m = mapError(new Error('connect ECONNREFUSED 127.0.0.1:5432'), ctx);
    assert.equal(m.body.statusCode, 503);
    assert.equal(m.body.error, 'DEPENDENCY_UNAVAILABLE');
  });

  it('answers 503 BUSY, not logged as a fault, when every pool connection stayed busy for the whole wait', () => {
    const m = mapError(new Error('timeout exceeded when trying to connect'), ctx);
    assert.equal(m.body.statusCode, 503);
    assert.equal(m.body.error, 'BUSY');
    assert.equal(m.headers['Retry-After'], '1');
    assert.equal(m.unexpected, false);
    // A database that does not answer is a fault, and logged.
    assert.equal(mapError(new Error('Connection terminated due to connection timeout'), ctx).unexpected, true);
  });

  it('every 503 says when to come back (Retry-After), whoever raised it', () => {
    const raised = [
      new AppError(503, 'DEPENDENCY_UNAVAILABLE', 'The seating service is unavailable'),
      new HttpException('Service Unavailable', 503),
      pgError('40001'),
      pgError('57014'),
      new Error('connect ECONNREFUSED 127.0.0.1:5432'),
    ];
    for (const e of raised) {
      const m = mapError(e, ctx);
      assert.equal(m.body.statusCode, 503, String(e));
      assert.equal(m.headers['Retry-After'], '1', String(e));
    }
    // A Retry-After the raiser chose is kept.
    assert.deepEqual(mapError(new AppError(503, 'BUSY', 'later', undefined, { 'Retry-After': '5' }), ctx).headers, { 'Retry-After': '5' });
  });

  it('hides the details of anything unexpected behind a 500 and flags it for the log', () => {
    const m = mapError(new TypeError("Cannot read properties of undefined (reading 'secret')"), ctx);
    assert.equal(m.body.statusCode, 500);
    assert.equal(m.body.error, 'INTERNAL_ERROR');
    assert.doesNotMatch(m.body.message, /secret/);
    assert.equal(m.unexpected, true);
  });

  it('AppError is an Error with a status', () => {
    const e = new AppError(418, 'TEAPOT', 'short and stout');
    assert.ok(e instanceof Error);
    assert.equal(e.status, 418);
  });
});
