import assert from 'node:assert/strict';
import { test } from 'node:test';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  TABLE,
  assertRefused,
  assertUnavailable,
  conditionFailed,
  connectionRefused,
  sent,
  throttled,
  validationError,
  mockTable,
} from './testing/fakes.ts';
import { classifyDependencyError } from '../errors.ts';
import {
  deleteAll,
  deleteExistingItem,
  getItem,
  ownerItems,
  pingTable,
  putAll,
  putNewItem,
  queryIndex,
  queryIndexBefore,
  queryOwnerPage,
} from './table.ts';

const table = mockTable();

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

test('getItem reads strongly consistent from the configured table', async () => {
  table.on(GetCommand).resolves({ Item: { pk: 'USER#u1', sk: 'X#1', name: 'a' } });
  assert.deepEqual(await getItem({ pk: 'USER#u1', sk: 'X#1' }), { pk: 'USER#u1', sk: 'X#1', name: 'a' });
  assert.deepEqual(sent(table, GetCommand), [
    { TableName: TABLE, Key: { pk: 'USER#u1', sk: 'X#1' }, ConsistentRead: true },
  ]);
  table.on(GetCommand).resolves({});
  assert.equal(await getItem({ pk: 'USER#u1', sk: 'X#2' }), undefined);
});

test('a conditional write whose condition fails is a result; any other failure is not', async () => {
  const item = { pk: 'USER#u1', sk: 'X#1' };
  table.on(PutCommand).resolvesOnce({}).rejectsOnce(conditionFailed()).rejectsOnce(throttled());
  assert.equal(await putNewItem(item), true);
  assert.equal(await putNewItem(item), false);
  await assertUnavailable(putNewItem(item), 'dynamodb');
  assert.deepEqual(sent(table, PutCommand)[0], {
    TableName: TABLE,
    Item: item,
    ConditionExpression: 'attribute_not_exists(pk)',
  });

  table
    .on(DeleteCommand)
    .resolvesOnce({ Attributes: { ...item, n: 1 } })
    .rejectsOnce(conditionFailed());
  assert.deepEqual(await deleteExistingItem(item), { ...item, n: 1 });
  assert.equal(await deleteExistingItem(item), undefined);
  assert.deepEqual(sent(table, DeleteCommand)[0], {
    TableName: TABLE,
    Key: item,
    ConditionExpression: 'attribute_exists(pk)',
    ReturnValues: 'ALL_OLD',
  });
});

test('outages become 503 naming dynamodb; a request DynamoDB refuses becomes 500', async () => {
  table
    .on(GetCommand)
    .rejectsOnce(throttled())
    .rejectsOnce(connectionRefused())
    .rejectsOnce(validationError());
  const key = { pk: 'USER#u1', sk: 'X#1' };
  await assertUnavailable(getItem(key), 'dynamodb');
  await assertUnavailable(getItem(key), 'dynamodb');
  await assertRefused(getItem(key));
});

test('the health ping passes the raw SDK error through (the health check maps it itself)', async () => {
  table.on(GetCommand).rejects(throttled());
  await assert.rejects(pingTable(), { name: 'ThrottlingException' });
  assert.deepEqual(sent(table, GetCommand), [{ TableName: TABLE, Key: { pk: 'HEALTH', sk: 'HEALTH' } }]);
});

test('queryOwnerPage asks for one page of the owner partition and returns its cursor', async () => {
  const after = { pk: 'USER#u1', sk: 'AUDIT#2024' };
  table
    .on(QueryCommand)
    .resolves({ Items: [{ sk: 'AUDIT#2023' }], LastEvaluatedKey: { pk: 'USER#u1', sk: 'AUDIT#2023' } });
  const page = await queryOwnerPage('u1', 'AUDIT#', { limit: 10, after, descending: true });
  assert.deepEqual(page, { items: [{ sk: 'AUDIT#2023' }], lastKey: { pk: 'USER#u1', sk: 'AUDIT#2023' } });
  assert.deepEqual(sent(table, QueryCommand), [
    {
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': 'USER#u1', ':prefix': 'AUDIT#' },
      Limit: 10,
      ConsistentRead: true,
      ScanIndexForward: false,
      ExclusiveStartKey: after,
    },
  ]);
});

/** Answers a query in pages of the given items, cursor after cursor. */
function pages(...itemsPerPage: Record<string, unknown>[][]) {
  const answers = table.on(QueryCommand);
  itemsPerPage.forEach((Items, i) => {
    const last = i < itemsPerPage.length - 1 ? { pk: 'P', sk: `page-${i + 1}` } : undefined;
    answers.resolvesOnce({ Items, ...(last ? { LastEvaluatedKey: last } : {}) });
  });
}

test('ownerItems follows LastEvaluatedKey to the last page, projecting aliased attributes', async () => {
  pages([{ name: 'a' }, { name: 'b' }], [], [{ name: 'c' }]);
  assert.deepEqual(await ownerItems('u1', 'PERSON#', ['personId', 'name']), [
    { name: 'a' },
    { name: 'b' },
    { name: 'c' },
  ]);
  const queries = sent(table, QueryCommand);
  assert.deepEqual(
    queries.map((q) => q.ExclusiveStartKey),
    [undefined, { pk: 'P', sk: 'page-1' }, { pk: 'P', sk: 'page-2' }],
  );
  for (const query of queries) {
    assert.deepEqual(query, {
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': 'USER#u1', ':prefix': 'PERSON#' },
      // `name` is a reserved word: every attribute goes through an alias.
      ProjectionExpression: '#a0, #a1',
      ExpressionAttributeNames: { '#a0': 'personId', '#a1': 'name' },
      ConsistentRead: true,
      ExclusiveStartKey: query.ExclusiveStartKey,
    });
  }
});

/** A query of the GSI as table.ts sends it: never strongly consistent (DynamoDB refuses that on a GSI). */
const indexQuery = (condition: string, values: Record<string, string>, start?: Record<string, string>) => ({
  TableName: TABLE,
  IndexName: 'gsi1',
  KeyConditionExpression: condition,
  ExpressionAttributeValues: values,
  ExclusiveStartKey: start,
});

test('queryIndexBefore follows pages of one GSI partition below the cutoff', async () => {
  pages([{ siteId: 's1' }], [{ siteId: 's2' }]);
  assert.deepEqual(await queryIndexBefore('ONLINE#3', '2024-05-01T00:00:00.000Z'), [
    { siteId: 's1' },
    { siteId: 's2' },
  ]);
  const values = { ':pk': 'ONLINE#3', ':before': '2024-05-01T00:00:00.000Z' };
  assert.deepEqual(sent(table, QueryCommand), [
    indexQuery('gsi1pk = :pk AND gsi1sk < :before', values),
    indexQuery('gsi1pk = :pk AND gsi1sk < :before', values, { pk: 'P', sk: 'page-1' }),
  ]);
});

test('queryIndex asks the GSI for one exact key', async () => {
  pages([{ siteId: 's9' }]);
  assert.deepEqual(await queryIndex({ gsi1pk: 'SITE#s9', gsi1sk: 'SITE' }), [{ siteId: 's9' }]);
  assert.deepEqual(sent(table, QueryCommand), [
    indexQuery('gsi1pk = :pk AND gsi1sk = :sk', { ':pk': 'SITE#s9', ':sk': 'SITE' }),
  ]);
});

test('a failure on a later page is an outage too, not a short list', async () => {
  table
    .on(QueryCommand)
    .resolvesOnce({ Items: [{ n: 1 }], LastEvaluatedKey: { pk: 'P', sk: '1' } })
    .rejectsOnce(throttled());
  await assertUnavailable(ownerItems('u1', 'FACE#'), 'dynamodb');
});

const keys = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: 'USER#u1', sk: `X#${i}` }));

/** The requests of each BatchWrite sent, for the configured table. */
const batches = () => sent(table, BatchWriteCommand).map((input) => input.RequestItems![TABLE]!);

test('deleteAll writes batches of 25, deleting by key alone', async () => {
  table.on(BatchWriteCommand).resolves({});
  await deleteAll(keys(60).map((key) => ({ ...key, extra: 'not sent' })));
  const sentBatches = batches();
  assert.deepEqual(
    sentBatches.map((batch) => batch.length),
    [25, 25, 10],
  );
  assert.deepEqual(
    sentBatches.flat(),
    keys(60).map((Key) => ({ DeleteRequest: { Key } })),
  );
  assert.deepEqual(
    sent(table, BatchWriteCommand).map((input) => Object.keys(input.RequestItems!)),
    [[TABLE], [TABLE], [TABLE]],
  );
});

test('putAll retries exactly what DynamoDB left unprocessed before the next batch', async () => {
  const items = keys(30);
  const left = items.slice(3, 5).map((Item) => ({ PutRequest: { Item } }));
  table
    .on(BatchWriteCommand)
    .resolvesOnce({ UnprocessedItems: { [TABLE]: left } })
    .resolves({ UnprocessedItems: {} });
  await putAll(items);
  assert.deepEqual(batches(), [
    items.slice(0, 25).map((Item) => ({ PutRequest: { Item } })),
    left,
    items.slice(25).map((Item) => ({ PutRequest: { Item } })),
  ]);
});

test('a batch DynamoDB keeps leaving unprocessed ends in 503 after 9 attempts', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] }); // the backoff between attempts: up to 1 s each
  table.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => ({
    UnprocessedItems: input.RequestItems,
  }));
  let outcome: unknown = 'pending';
  const settled = deleteAll(keys(2)).then(
    () => (outcome = 'resolved'),
    (e: unknown) => (outcome = e),
  );
  for (let tick = 0; tick < 50 && outcome === 'pending'; tick++) {
    await new Promise((resolve) => setImmediate(resolve));
    t.mock.timers.tick(1000);
  }
  await settled;
  await assertUnavailable(Promise.reject(outcome as Error), 'dynamodb');
  assert.equal(sent(table, BatchWriteCommand).length, 9);
});

test('a throttled batch write is an outage', async () => {
  table.on(BatchWriteCommand).rejects(throttled());
  await assertUnavailable(deleteAll(keys(1)), 'dynamodb');
});
