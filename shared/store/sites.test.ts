import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchWriteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, assertUnavailable, conditionFailed, sent, throttled, mockTable } from './testing/fakes.ts';
import { cameraStore, eraseSites, siteStore } from './sites.ts';

const table = mockTable();
const NOW = '2024-05-01T12:00:00.000Z';

test('a site is stored in its owner partition and indexed by its id alone (edge authentication)', async () => {
  table.on(PutCommand).resolves({});
  await siteStore.create({ siteId: 's1', ownerId: 'u1', name: 'Gate' });
  assert.deepEqual(sent(table, PutCommand), [
    {
      TableName: TABLE,
      Item: {
        pk: 'USER#u1',
        sk: 'SITE#s1',
        gsi1pk: 'SITE#s1',
        gsi1sk: 'SITE',
        siteId: 's1',
        ownerId: 'u1',
        name: 'Gate',
      },
    },
  ]);
});

test('byId finds a site through the index, whoever owns it; undefined when none', async () => {
  table
    .on(QueryCommand)
    .resolvesOnce({ Items: [{ siteId: 's1', ownerId: 'u9' }] })
    .resolvesOnce({ Items: [] });
  assert.deepEqual(await siteStore.byId('s1'), { siteId: 's1', ownerId: 'u9' });
  assert.equal(await siteStore.byId('s1'), undefined);
  const [query] = sent(table, QueryCommand);
  assert.equal(query!.IndexName, 'gsi1');
  assert.deepEqual(query!.ExpressionAttributeValues, { ':pk': 'SITE#s1', ':sk': 'SITE' });
});

test('touch records address and time on an existing site only; false when the site is gone', async () => {
  table
    .on(UpdateCommand)
    .resolvesOnce({ Attributes: {} })
    .rejectsOnce(conditionFailed())
    .rejectsOnce(throttled());
  assert.equal(await siteStore.touch('u1', 's1', 'https://edge.example', NOW), true);
  assert.equal(await siteStore.touch('u1', 's1', 'https://edge.example', NOW), false);
  await assertUnavailable(siteStore.touch('u1', 's1', 'https://edge.example', NOW), 'dynamodb');
  assert.deepEqual(sent(table, UpdateCommand)[0], {
    TableName: TABLE,
    Key: { pk: 'USER#u1', sk: 'SITE#s1' },
    UpdateExpression: 'SET publicUrl = :u, lastSeenAt = :t',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':u': 'https://edge.example', ':t': NOW },
    ReturnValues: 'ALL_NEW',
  });
});

test("a site's cameras are written whole, keyed CAMERA#<siteId>#<cameraId>", async () => {
  table.on(BatchWriteCommand).resolves({});
  await cameraStore.putAll('u1', 's1', [{ cameraId: 'c1', status: 'online' }, { cameraId: 'c2' }]);
  assert.deepEqual(sent(table, BatchWriteCommand)[0]!.RequestItems![TABLE], [
    { PutRequest: { Item: { pk: 'USER#u1', sk: 'CAMERA#s1#c1', cameraId: 'c1', status: 'online' } } },
    { PutRequest: { Item: { pk: 'USER#u1', sk: 'CAMERA#s1#c2', cameraId: 'c2' } } },
  ]);
});

test('a camera is marked offline unless a later heartbeat saw it or it is gone', async () => {
  table.on(UpdateCommand).resolvesOnce({ Attributes: {} }).rejectsOnce(conditionFailed());
  assert.equal(await cameraStore.markOffline('u1', 's1', 'c1', NOW), true);
  assert.equal(await cameraStore.markOffline('u1', 's1', 'c1', NOW), false);
  assert.deepEqual(sent(table, UpdateCommand)[0], {
    TableName: TABLE,
    Key: { pk: 'USER#u1', sk: 'CAMERA#s1#c1' },
    UpdateExpression: 'SET #status = :offline',
    ConditionExpression: 'attribute_exists(pk) AND lastSeenAt <= :seen',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':offline': 'offline', ':seen': NOW },
    ReturnValues: 'ALL_NEW',
  });
});

test('erasure deletes sites first, then cameras, then presence, by the keys it found', async () => {
  table.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: { ':prefix': string } }) => ({
    Items: [{ pk: 'USER#u1', sk: `${input.ExpressionAttributeValues[':prefix']}x` }],
  }));
  table.on(BatchWriteCommand).resolves({});
  await eraseSites('u1');
  assert.deepEqual(
    sent(table, QueryCommand).map((query) => [
      query.ExpressionAttributeValues,
      query.ExpressionAttributeNames,
    ]),
    ['SITE#', 'CAMERA#', 'PRESENCE#'].map((prefix) => [
      { ':pk': 'USER#u1', ':prefix': prefix },
      { '#a0': 'pk', '#a1': 'sk' },
    ]),
  );
  assert.deepEqual(
    sent(table, BatchWriteCommand).map((batch) => batch.RequestItems![TABLE]),
    ['SITE#x', 'CAMERA#x', 'PRESENCE#x'].map((sk) => [{ DeleteRequest: { Key: { pk: 'USER#u1', sk } } }]),
  );
});
