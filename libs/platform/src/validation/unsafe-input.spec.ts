import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../errors/app-error';
import { findUnsafeString, jsonNestingExceeds } from './unsafe-input';
import { createValidationPipe } from './validation';

describe('findUnsafeString', () => {
  it('finds a NUL or an unpaired surrogate anywhere in a body, keys included, and names where', () => {
    assert.equal(findUnsafeString({ username: 'ali\u0000ce' }), 'username');
    assert.equal(findUnsafeString({ customer: { email: '\ud800@x.io' } }), 'customer.email');
    assert.equal(findUnsafeString({ list: ['ok', 'trailing \udc00'] }), 'list[1]');
    assert.equal(findUnsafeString({ facilities: { ['wifi\u0000']: true } }), 'facilities.wifi\u0000');
    assert.equal(findUnsafeString('\u0000'), 'value');
  });

  it('lets every real character through: accents, CJK, emoji (a surrogate pair), RTL text, newlines', () => {
    assert.equal(findUnsafeString({ name: 'Ólafur Arnalds — 坂本龍一 🎹 مرحبا\nline', n: 3, x: null, t: true, a: [[{ b: 'é' }]] }), undefined);
  });
});

describe('jsonNestingExceeds', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    assert.equal(jsonNestingExceeds('{"a":{"b":[1,{"c":2}]}}', 4), false);
    assert.equal(jsonNestingExceeds('{"a":{"b":[1,{"c":[2]}]}}', 4), true);
    assert.equal(jsonNestingExceeds(`{"s":"${'['.repeat(100)}"}`, 2), false);
    assert.equal(jsonNestingExceeds(`{"s":"a\\"${'{'.repeat(100)}"}`, 2), false, 'an escaped quote does not end the string');
    assert.equal(jsonNestingExceeds('['.repeat(20_000) + ']'.repeat(20_000)), true);
  });
});

describe('the validation pipe', () => {
  it('refuses an unsafe string in a body or a query with 400 VALIDATION_FAILED naming the field', async () => {
    const pipe = createValidationPipe();
    for (const [type, value, field] of [
      ['body', { username: 'x\u0000' }, 'username'],
      ['query', { city: '\u0000' }, 'city'],
      ['body', { email: '\ud800@x.io' }, 'email'],
    ] as const) {
      await assert.rejects(pipe.transform(value, { type, metatype: Object }), (e: unknown) => {
        assert.ok(e instanceof AppError && e.status === 400 && e.code === 'VALIDATION_FAILED', String(e));
        assert.match(e.message, new RegExp(`^${field} must not contain a NUL`));
        return true;
      });
    }
  });
});
