import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, sent, mockTable } from './testing/fakes.ts';
import { auditStore } from './audit.ts';

const table = mockTable();
const AT = '2024-05-01T12:00:00.000Z';

test('an audit entry is keyed by time then request id, with its TTL', async () => {
  table.on(PutCommand).resolves({});
  await auditStore.put('u1', { at: AT, requestId: 'r1', ttl: 1_800_000_000, action: 'login' });
  assert.deepEqual(sent(table, PutCommand), [
    {
      TableName: TABLE,
      Item: {
        pk: 'USER#u1',
        sk: `AUDIT#${AT}#r1`,
        at: AT,
        requestId: 'r1',
        ttl: 1_800_000_000,
        action: 'login',
      },
    },
  ]);
});

test('pages run newest first; the cursor is the sort key, in and out', async () => {
  table
    .on(QueryCommand)
    .resolvesOnce({ Items: [{ action: 'a' }], LastEvaluatedKey: { pk: 'USER#u1', sk: `AUDIT#${AT}#r1` } })
    .resolvesOnce({ Items: [] });
  assert.deepEqual(await auditStore.newestFirst('u1', { limit: 1 }), {
    items: [{ action: 'a' }],
    lastSk: `AUDIT#${AT}#r1`,
  });
  assert.deepEqual(await auditStore.newestFirst('u1', { limit: 1, afterSk: `AUDIT#${AT}#r1` }), {
    items: [],
    lastSk: undefined,
  });
  const [first, next] = sent(table, QueryCommand);
  assert.equal(first!.ScanIndexForward, false);
  assert.equal(first!.ExclusiveStartKey, undefined);
  assert.deepEqual(first!.ExpressionAttributeValues, { ':pk': 'USER#u1', ':prefix': 'AUDIT#' });
  assert.deepEqual(next!.ExclusiveStartKey, { pk: 'USER#u1', sk: `AUDIT#${AT}#r1` });
});
