import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { currentTrace, outgoingTraceparent, parseTraceparent, runWithTrace } from './trace-context';

describe('W3C trace context', () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';

  it('continues a valid traceparent', () => {
    assert.equal(parseTraceparent(`00-${traceId}-00f067aa0ba902b7-01`), traceId);
    assert.equal(parseTraceparent(`00-${traceId.toUpperCase()}-00F067AA0BA902B7-00`), traceId);
  });

  it('starts over on missing or invalid headers', () => {
    for (const header of [undefined, '', 'garbage', `ff-${traceId}-00f067aa0ba902b7-01`, `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, `00-${traceId}-${'0'.repeat(16)}-01`, `00-${traceId}-00f067aa0ba902b7`]) {
      assert.equal(parseTraceparent(header), undefined, String(header));
    }
  });

  it('propagates the trace id to outgoing calls with a new span', () => {
    runWithTrace(() => {
      const header = outgoingTraceparent();
      assert.match(header, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      assert.notEqual(header.split('-')[2], currentTrace()?.spanId);
    }, traceId);
  });

  it('keeps the context across awaits and apart between concurrent units of work', async () => {
    const seen = await Promise.all(
      ['a'.repeat(32), 'b'.repeat(32)].map((id) =>
        runWithTrace(async () => {
          await new Promise((r) => setTimeout(r, 5));
          return currentTrace()?.traceId;
        }, id),
      ),
    );
    assert.deepEqual(seen, ['a'.repeat(32), 'b'.repeat(32)]);
  });
});
