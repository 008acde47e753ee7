import assert from 'node:assert/strict';
import { test } from 'node:test';
import { marshall } from '@aws-sdk/util-dynamodb';
import { classifyDependencyError } from '../errors.ts';

test('what the DynamoDB marshaller throws before sending anything is refused (500), not an outage', () => {
  // Our bug or unvalidated input: retrying cannot help.
  for (const value of [{ a: Infinity }, { a: 1.2345678901234568e29 }, { constructor: { prototype: {} } }]) {
    let thrown: unknown;
    try {
      marshall(value, { convertClassInstanceToMap: false });
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown, JSON.stringify(value));
    assert.equal(classifyDependencyError(thrown), 'refused', String(thrown));
  }
});
