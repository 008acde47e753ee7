import assert from 'node:assert/strict';
import { it } from 'node:test';
import { AppError } from '../errors.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';

it('round-trips a person id through an opaque cursor', () => {
  const cursor = encodeCursor('p0abc123def');
  assert.match(cursor, /^[A-Za-z0-9_-]+$/);
  assert.equal(decodeCursor(cursor), 'p0abc123def');
});

it('rejects cursors it did not issue with 400 VALIDATION_FAILED on the cursor field', () => {
  const forged = [
    'not-a-cursor',
    '',
    Buffer.from('null').toString('base64url'),
    Buffer.from('{"after":"PERSON#x"}').toString('base64url'),
    Buffer.from('{"after":42}').toString('base64url'),
  ];
  for (const cursor of forged) {
    assert.throws(
      () => decodeCursor(cursor),
      (e: unknown) =>
        e instanceof AppError &&
        e.status === 400 &&
        e.code === 'VALIDATION_FAILED' &&
        typeof (e.details?.fields as Record<string, string>).cursor === 'string',
      cursor,
    );
  }
});
