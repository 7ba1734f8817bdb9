import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { JsonLogger } from './json-logger';
import { runWithTrace } from './trace-context';

function capture(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

describe('JsonLogger', () => {
  it('writes one JSON object a line with time, level, service, traceId, message and context', () => {
    const { lines, stream } = capture();
    const logger = new JsonLogger('seating', 'info', stream);
    runWithTrace(() => logger.log('Seats reserved', { reservationId: 'res_1' }, 'ReservationsService'), 'c'.repeat(32));
    const [line] = lines;
    assert.equal(line.level, 'INFO');
    assert.equal(line.service, 'seating');
    assert.equal(line.traceId, 'c'.repeat(32));
    assert.equal(line.message, 'Seats reserved');
    assert.equal(line.context, 'ReservationsService');
    assert.equal(line.reservationId, 'res_1');
    assert.ok(!Number.isNaN(Date.parse(String(line.time))));
  });

  it('logs errors with their stack and respects the level', () => {
    const { lines, stream } = capture();
    const logger = new JsonLogger('order', 'warn', stream);
    logger.log('not shown');
    logger.error('Callback failed', new Error('boom'), 'Outbox');
    assert.equal(lines.length, 1);
    assert.equal(lines[0].level, 'ERROR');
    assert.equal((lines[0].err as { message: string }).message, 'boom');
    assert.match(String((lines[0].err as { stack: string }).stack), /Error: boom/);
  });
});
