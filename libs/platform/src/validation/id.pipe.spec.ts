import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { IdPipe, UuidPipe } from './id.pipe';
import { AppError } from '../errors/app-error';
import { PageQuery, pageOffset } from './pagination';
import { createValidationPipe } from './validation';

describe('IdPipe', () => {
  const pipe = new IdPipe();
  it('accepts positive integers in plain digits', () => {
    assert.equal(pipe.transform('1'), 1);
    assert.equal(pipe.transform('9007199254740991'), Number.MAX_SAFE_INTEGER);
  });
  it('refuses everything else with 400 INVALID_ID', () => {
    for (const v of ['0', '-1', '01', '1.0', '1e3', ' 1', 'abc', '', '9007199254740992', '1;DROP']) {
      assert.throws(() => pipe.transform(v), (e: { status?: number; code?: string }) => e.status === 400 && e.code === 'INVALID_ID', v);
    }
  });
});

describe('UuidPipe', () => {
  it('accepts UUIDs (lower-cased) and refuses the rest', () => {
    const pipe = new UuidPipe();
    assert.equal(pipe.transform('7F7DDC5B-2099-44A1-9F52-3089EB15C1D9'), '7f7ddc5b-2099-44a1-9f52-3089eb15c1d9');
    assert.throws(() => pipe.transform('7f7ddc5b'), /not a valid id/);
  });
});

describe('PageQuery', () => {
  const parse = (q: Record<string, string | undefined>) => {
    const value = plainToInstance(PageQuery, q, { exposeDefaultValues: true });
    return { value, errors: validateSync(value) };
  };
  it('defaults to page 1 of 20', () => {
    const { value, errors } = parse({});
    assert.equal(errors.length, 0);
    assert.deepEqual([value.page, value.limit, pageOffset(value)], [1, 20, 0]);
  });
  it('clamps the page size to 100 and computes the offset', () => {
    const { value } = parse({ page: '3', limit: '1000' });
    assert.deepEqual([value.limit, pageOffset(value)], [100, 200]);
  });
  it('takes ?offset= as the unknown parameter it is: 400 VALIDATION_FAILED naming it, not a TypeError (a 500)', async () => {
    const pipe = createValidationPipe();
    for (const query of [{ offset: '5' }, { page: '2', offset: '0' }, { offset: '' }]) {
      await assert.rejects(
        pipe.transform(query, { type: 'query', metatype: PageQuery }),
        (e: unknown) => e instanceof AppError && e.status === 400 && e.code === 'VALIDATION_FAILED' && /offset should not exist/.test(e.message),
        JSON.stringify(query),
      );
    }
  });
  it('refuses zero, negatives and non-numbers', () => {
    for (const q of [{ page: '0' }, { page: '-2' }, { limit: '0' }, { limit: 'ten' }, { page: '1.5' }]) {
      assert.ok(parse(q).errors.length > 0, JSON.stringify(q));
    }
  });
});
