import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE, assertUnavailable, conditionFailed, sent, throttled, mockTable } from './testing/fakes.ts';
import { presenceStore } from './presence.ts';

const table = mockTable();
const SEEN = '2024-05-01T12:00:00.000Z';
const site = { siteId: 's1', ownerId: 'u1', lastSeenAt: SEEN };
const key = { pk: 'USER#u1', sk: 'PRESENCE#s1' };

test('a heartbeat (re)indexes the site in its shard, sorted by time then site', async () => {
  table.on(PutCommand).resolves({});
  await presenceStore.beat('u1', 's1', SEEN);
  assert.deepEqual(sent(table, PutCommand), [
    // sha256('s1') picks shard 12 of 16.
    { TableName: TABLE, Item: { ...key, gsi1pk: 'ONLINE#12', gsi1sk: `${SEEN}#s1`, ...site } },
  ]);
});

test('silentSince asks every one of the 16 shards for sites last seen before the cutoff', async () => {
  table.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: { ':pk': string } }) => ({
    Items: input.ExpressionAttributeValues[':pk'] === 'ONLINE#6' ? [{ siteId: 's2' }] : [],
  }));
  assert.deepEqual(await presenceStore.silentSince(SEEN), [{ siteId: 's2' }]);
  const queries = sent(table, QueryCommand);
  assert.deepEqual(
    queries.map((query) => query.ExpressionAttributeValues![':pk']).sort(),
    Array.from({ length: 16 }, (_, shard) => `ONLINE#${shard}`).sort(),
  );
  for (const query of queries) {
    assert.equal(query.IndexName, 'gsi1');
    assert.equal(query.KeyConditionExpression, 'gsi1pk = :pk AND gsi1sk < :before');
    assert.equal(query.ExpressionAttributeValues![':before'], SEEN);
  }
});

test('markOffline unindexes the site only if no heartbeat came since and no other sweep got there', async () => {
  table
    .on(UpdateCommand)
    .resolvesOnce({ Attributes: {} })
    .rejectsOnce(conditionFailed())
    .rejectsOnce(throttled());
  const at = '2024-05-01T12:05:00.000Z';
  assert.equal(await presenceStore.markOffline(site, at), true);
  assert.equal(await presenceStore.markOffline(site, at), false);
  await assertUnavailable(presenceStore.markOffline(site, at), 'dynamodb');
  assert.deepEqual(sent(table, UpdateCommand)[0], {
    TableName: TABLE,
    Key: key,
    UpdateExpression: 'SET offlineSince = :at REMOVE gsi1pk, gsi1sk',
    ConditionExpression: 'lastSeenAt = :seen AND attribute_exists(gsi1pk)',
    ExpressionAttributeValues: { ':at': at, ':seen': SEEN },
    ReturnValues: 'ALL_NEW',
  });
});

test('remove deletes the presence item by key', async () => {
  table.on(DeleteCommand).resolves({});
  await presenceStore.remove('u1', 's1');
  assert.deepEqual(sent(table, DeleteCommand), [{ TableName: TABLE, Key: key }]);
});
