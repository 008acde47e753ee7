import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchWriteCommand, DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, assertUnavailable, conditionFailed, sent, throttled, mockTable } from './testing/fakes.ts';
import { faceStore } from './faces.ts';

const table = mockTable();
const key = { pk: 'USER#u1', sk: 'FACE#p1#f1' };

test('a new face is keyed under its person, only if the same face is not enrolled yet', async () => {
  table.on(PutCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
  const face = { personId: 'p1', faceId: 'f1', descriptor: [0.1, 0.2] };
  assert.equal(await faceStore.create('u1', face), true);
  assert.equal(await faceStore.create('u1', face), false);
  assert.deepEqual(sent(table, PutCommand)[0], {
    TableName: TABLE,
    Item: { ...key, type: 'face', ...face },
    ConditionExpression: 'attribute_not_exists(pk)',
  });
});

test("a person's faces are found by the prefix FACE#<personId># with their keys projected", async () => {
  table.on(QueryCommand).resolves({ Items: [{ ...key, faceId: 'f1' }] });
  assert.deepEqual(await faceStore.ofPerson('u1', 'p1', ['faceId']), [{ ...key, faceId: 'f1' }]);
  const [query] = sent(table, QueryCommand);
  assert.deepEqual(query!.ExpressionAttributeValues, { ':pk': 'USER#u1', ':prefix': 'FACE#p1#' });
  assert.deepEqual(query!.ExpressionAttributeNames, { '#a0': 'pk', '#a1': 'sk', '#a2': 'faceId' });
});

test('every face of the owner (the gallery) is found by the prefix FACE#', async () => {
  table.on(QueryCommand).resolves({ Items: [] });
  await faceStore.all('u1', ['descriptor']);
  assert.deepEqual(sent(table, QueryCommand)[0]!.ExpressionAttributeValues, {
    ':pk': 'USER#u1',
    ':prefix': 'FACE#',
  });
});

test('remove returns what the face held; undefined when there was none; an outage is 503', async () => {
  table
    .on(DeleteCommand)
    .resolvesOnce({ Attributes: { ...key, cropKey: 'c' } })
    .rejectsOnce(conditionFailed())
    .rejectsOnce(throttled());
  assert.deepEqual(await faceStore.remove('u1', 'p1', 'f1'), { ...key, cropKey: 'c' });
  assert.equal(await faceStore.remove('u1', 'p1', 'f1'), undefined);
  await assertUnavailable(faceStore.remove('u1', 'p1', 'f1'), 'dynamodb');
  assert.deepEqual(sent(table, DeleteCommand)[0]!.Key, key);
});

test('discard deletes unconditionally; removeAll deletes by key in a batch', async () => {
  table.on(DeleteCommand).resolves({});
  table.on(BatchWriteCommand).resolves({});
  await faceStore.discard('u1', 'p1', 'f1');
  assert.deepEqual(sent(table, DeleteCommand), [{ TableName: TABLE, Key: key }]);
  await faceStore.removeAll([key, { pk: 'USER#u1', sk: 'FACE#p1#f2' }]);
  assert.deepEqual(sent(table, BatchWriteCommand), [
    {
      RequestItems: {
        [TABLE]: [
          { DeleteRequest: { Key: key } },
          { DeleteRequest: { Key: { pk: 'USER#u1', sk: 'FACE#p1#f2' } } },
        ],
      },
    },
  ]);
});
