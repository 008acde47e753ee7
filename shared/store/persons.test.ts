import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, assertUnavailable, conditionFailed, sent, throttled, mockTable } from './testing/fakes.ts';
import { personStore } from './persons.ts';

const table = mockTable();
const key = { pk: 'USER#u1', sk: 'PERSON#p1' };
const NOW = '2024-05-01T12:00:00.000Z';

test('a new person goes into the owner partition, only if its id is free', async () => {
  table.on(PutCommand).resolvesOnce({}).rejectsOnce(conditionFailed());
  assert.equal(await personStore.create('u1', { personId: 'p1', name: 'Ann' }), true);
  assert.equal(await personStore.create('u1', { personId: 'p1', name: 'Ann' }), false);
  assert.deepEqual(sent(table, PutCommand)[0], {
    TableName: TABLE,
    Item: { ...key, type: 'person', personId: 'p1', name: 'Ann' },
    ConditionExpression: 'attribute_not_exists(pk)',
  });
});

test('update aliases every field (name is a reserved word) and stamps updatedAt on an existing person', async () => {
  table
    .on(UpdateCommand)
    .resolvesOnce({ Attributes: { ...key, name: 'Bea' } })
    .rejectsOnce(conditionFailed());
  assert.deepEqual(await personStore.update('u1', 'p1', { name: 'Bea', consent: true }, NOW), {
    ...key,
    name: 'Bea',
  });
  assert.equal(await personStore.update('u1', 'p1', { name: 'Bea' }, NOW), undefined);
  assert.deepEqual(sent(table, UpdateCommand)[0], {
    TableName: TABLE,
    Key: key,
    UpdateExpression: 'SET #f0 = :v0, #f1 = :v1, #f2 = :v2',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#f0': 'name', '#f1': 'consent', '#f2': 'updatedAt' },
    ExpressionAttributeValues: { ':v0': 'Bea', ':v1': true, ':v2': NOW },
    ReturnValues: 'ALL_NEW',
  });
});

test('countFace adds one atomically only while the person exists and has room', async () => {
  table
    .on(UpdateCommand)
    .resolvesOnce({ Attributes: key })
    .rejectsOnce(conditionFailed())
    .rejectsOnce(throttled());
  assert.equal(await personStore.countFace('u1', 'p1', 100, NOW), true);
  assert.equal(await personStore.countFace('u1', 'p1', 100, NOW), false);
  await assertUnavailable(personStore.countFace('u1', 'p1', 100, NOW), 'dynamodb');
  assert.deepEqual(sent(table, UpdateCommand)[0], {
    TableName: TABLE,
    Key: key,
    UpdateExpression: 'ADD faceCount :one SET updatedAt = :now',
    ConditionExpression: 'attribute_exists(pk) AND faceCount < :max',
    ExpressionAttributeValues: { ':one': 1, ':now': NOW, ':max': 100 },
    ReturnValues: 'ALL_NEW',
  });
});

test('uncountFace subtracts one from an existing person; false when it is gone', async () => {
  table.on(UpdateCommand).resolvesOnce({ Attributes: key }).rejectsOnce(conditionFailed());
  assert.equal(await personStore.uncountFace('u1', 'p1', NOW), true);
  assert.equal(await personStore.uncountFace('u1', 'p1', NOW), false);
  const [update] = sent(table, UpdateCommand);
  assert.equal(update!.UpdateExpression, 'ADD faceCount :minusOne SET updatedAt = :now');
  assert.equal(update!.ConditionExpression, 'attribute_exists(pk)');
  assert.deepEqual(update!.ExpressionAttributeValues, { ':minusOne': -1, ':now': NOW });
});

test('remove deletes an existing person; false when there was none', async () => {
  table.on(DeleteCommand).resolvesOnce({ Attributes: key }).rejectsOnce(conditionFailed());
  assert.equal(await personStore.remove('u1', 'p1'), true);
  assert.equal(await personStore.remove('u1', 'p1'), false);
  assert.deepEqual(sent(table, DeleteCommand)[0]!.Key, key);
});

test('a page of persons starts after the given person, oldest first', async () => {
  table
    .on(QueryCommand)
    .resolves({ Items: [{ personId: 'p2' }], LastEvaluatedKey: { pk: 'USER#u1', sk: 'PERSON#p2' } });
  assert.deepEqual(await personStore.page('u1', { limit: 1, afterId: 'p1' }), [{ personId: 'p2' }]);
  await personStore.page('u1', { limit: 5 });
  const [after, first] = sent(table, QueryCommand);
  assert.deepEqual(after!.ExclusiveStartKey, key);
  assert.deepEqual(after!.ExpressionAttributeValues, { ':pk': 'USER#u1', ':prefix': 'PERSON#' });
  assert.equal(after!.Limit, 1);
  assert.equal(after!.ScanIndexForward, undefined);
  assert.equal(first!.ExclusiveStartKey, undefined);
});
