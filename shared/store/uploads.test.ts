import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, conditionFailed, sent, mockTable } from './testing/fakes.ts';
import { uploadStore } from './uploads.ts';

const table = mockTable();
const key = { pk: 'USER#u1', sk: 'UPLOAD#up1' };

test('an upload record is an unconditional put in the owner partition at UPLOAD#<id>', async () => {
  table.on(PutCommand).resolves({});
  const record = uploadStore.item('u1', { uploadId: 'up1', status: 'pending' });
  assert.deepEqual(record, { ...key, uploadId: 'up1', status: 'pending' });
  await uploadStore.put(record);
  assert.deepEqual(sent(table, PutCommand), [{ TableName: TABLE, Item: record }]);
});

test('settle updates only a pending record; undefined once it is no longer pending', async () => {
  table
    .on(UpdateCommand)
    .resolvesOnce({ Attributes: { ...key, status: 'validated' } })
    .rejectsOnce(conditionFailed());
  const fields = { status: 'validated', size: 10 };
  const pending = { ...key, uploadId: 'up1', status: 'pending' };
  assert.deepEqual(await uploadStore.settle(pending, fields), {
    ...key,
    status: 'validated',
  });
  assert.equal(await uploadStore.settle(key, fields), undefined);
  assert.deepEqual(sent(table, UpdateCommand)[0], {
    TableName: TABLE,
    Key: key, // the key alone, whatever else the record holds
    UpdateExpression: 'SET #f0 = :v0, #f1 = :v1',
    ConditionExpression: '#status = :pending',
    ExpressionAttributeNames: { '#status': 'status', '#f0': 'status', '#f1': 'size' },
    ExpressionAttributeValues: { ':pending': 'pending', ':v0': 'validated', ':v1': 10 },
    ReturnValues: 'ALL_NEW',
  });
});
