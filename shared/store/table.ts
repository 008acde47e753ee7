import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { dependencyUnavailable, viaDependency } from '../errors.ts';
import { dynamo, tableName } from './dynamo.ts';
import { HEALTH_KEY, ownerPk, type Key } from './keys.ts';

/**
 * DynamoDB access shared by the record stores (persons, faces, uploads, sites, audit, sessions): every
 * failure becomes a typed error (viaDependency: 503 for an outage, 500 when DynamoDB refused the request),
 * except a failed condition, which a conditional write reports as `undefined`.
 */

const db = <T>(call: () => Promise<T>): Promise<T> => viaDependency('dynamodb', call);

/** Runs a conditional write; resolves to its output, or `undefined` when the condition did not hold. */
function conditionalWrite<T extends object>(write: () => Promise<T>): Promise<T | undefined> {
  return db(async () => {
    try {
      return await write();
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return undefined;
      throw e;
    }
  });
}

/** One item by key, strongly consistent. */
export async function getItem<T>(key: Key): Promise<T | undefined> {
  const out = await db(() =>
    dynamo().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true })),
  );
  return out.Item as T | undefined;
}

/** Writes an item, replacing any with its key. */
export async function putItem(item: Key & Record<string, unknown>): Promise<void> {
  await db(() => dynamo().send(new PutCommand({ TableName: tableName(), Item: item })));
}

/** Writes an item only if none has its key; false when one had. */
export async function putNewItem(item: Key & Record<string, unknown>): Promise<boolean> {
  const out = await conditionalWrite(() =>
    dynamo().send(
      new PutCommand({ TableName: tableName(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
    ),
  );
  return out !== undefined;
}

/** Deletes an item whether or not it exists. */
export async function deleteItem(key: Key): Promise<void> {
  await db(() =>
    dynamo().send(new DeleteCommand({ TableName: tableName(), Key: { pk: key.pk, sk: key.sk } })),
  );
}

/** Deletes an existing item and returns what it held; `undefined` when there was none. */
export async function deleteExistingItem<T>(key: Key): Promise<T | undefined> {
  const out = await conditionalWrite(() =>
    dynamo().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: key,
        ConditionExpression: 'attribute_exists(pk)',
        ReturnValues: 'ALL_OLD',
      }),
    ),
  );
  return out?.Attributes as T | undefined;
}

/**
 * An update expression on an item, under a condition: the item as it now stands, or `undefined` when
 * the condition did not hold.
 */
export async function updateItem<T>(
  key: Key,
  update: {
    expression: string;
    condition: string;
    names?: Record<string, string>;
    values: Record<string, unknown>;
  },
): Promise<T | undefined> {
  const out = await conditionalWrite(() =>
    dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: update.expression,
        ConditionExpression: update.condition,
        ...(update.names ? { ExpressionAttributeNames: update.names } : {}),
        ExpressionAttributeValues: update.values,
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return out?.Attributes as T | undefined;
}

/**
 * One page of an owner's items whose sort key starts with `prefix`: at most `limit`, after `after` (an
 * exclusive start key), newest first if `descending`. Strongly consistent.
 */
export async function queryOwnerPage<T>(
  userId: string,
  prefix: string,
  page: { limit: number; after?: Key; descending?: boolean },
): Promise<{ items: T[]; lastKey?: Key }> {
  const out = await db(() =>
    dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': ownerPk(userId), ':prefix': prefix },
        Limit: page.limit,
        ConsistentRead: true,
        ...(page.descending ? { ScanIndexForward: false } : {}),
        ...(page.after ? { ExclusiveStartKey: page.after } : {}),
      }),
    ),
  );
  return { items: (out.Items ?? []) as T[], lastKey: out.LastEvaluatedKey as Key | undefined };
}

/**
 * Every item of an owner whose sort key starts with `prefix`, optionally only the named attributes
 * (aliased, since DynamoDB reserves hundreds of words such as `name`). Strongly consistent: a gallery read
 * after a version bump must include the write that bumped it.
 */
export function ownerItems<T>(userId: string, prefix: string, attributes?: readonly string[]): Promise<T[]> {
  const projection = attributes && {
    ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(attributes.map((name, i) => [`#a${i}`, name])),
  };
  return queryAll<T>({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': ownerPk(userId), ':prefix': prefix },
    ...projection,
    ConsistentRead: true,
  });
}

/** Deletes every item of an owner whose sort key starts with `prefix` (erasure). */
export async function deleteOwnerItems(userId: string, prefix: string): Promise<void> {
  await deleteAll(await ownerItems<Key>(userId, prefix, ['pk', 'sk']));
}

/** Items of the GSI `gsi1` with these keys (eventually consistent, as GSIs are). */
export const queryIndex = <T>(index: { gsi1pk: string; gsi1sk: string }) =>
  queryAll<T>({
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk',
    ExpressionAttributeValues: { ':pk': index.gsi1pk, ':sk': index.gsi1sk },
  });

/** Items of the GSI `gsi1` under `gsi1pk` whose `gsi1sk` sorts before `before` (eventually consistent). */
export const queryIndexBefore = <T>(gsi1pk: string, before: string) =>
  queryAll<T>({
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk < :before',
    ExpressionAttributeValues: { ':pk': gsi1pk, ':before': before },
  });

/** A real round trip for the health check: reads an item that never exists (raw errors, no mapping). */
export const pingTable = () => dynamo().send(new GetCommand({ TableName: tableName(), Key: HEALTH_KEY }));

/** Every item a query matches, page after page. */
async function queryAll<T>(query: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<T[]> {
  const all: T[] = [];
  let start: QueryCommandInput['ExclusiveStartKey'];
  do {
    const page = await db(() =>
      dynamo().send(new QueryCommand({ TableName: tableName(), ...query, ExclusiveStartKey: start })),
    );
    all.push(...((page.Items ?? []) as T[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return all;
}

const BATCH = 25;

type WriteRequest = { PutRequest: { Item: Key } } | { DeleteRequest: { Key: Key } };

/** Batch writes, 25 at a time, retrying what DynamoDB leaves unprocessed under throttling. */
async function writeAll(all: readonly WriteRequest[]): Promise<void> {
  for (let i = 0; i < all.length; i += BATCH) {
    let requests = all.slice(i, i + BATCH);
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > 8) throw dependencyUnavailable('dynamodb');
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      const out = await db(() =>
        dynamo().send(new BatchWriteCommand({ RequestItems: { [tableName()]: [...requests] } })),
      );
      requests = (out.UnprocessedItems?.[tableName()] ?? []) as WriteRequest[];
    }
  }
}

export const deleteAll = (keys: readonly Key[]) =>
  writeAll(keys.map(({ pk, sk }) => ({ DeleteRequest: { Key: { pk, sk } } })));

/** Unconditional puts, for items a request may replace whole (heartbeat cameras) and bulk loads (bench). */
export const putAll = (items: readonly Key[]) => writeAll(items.map((Item) => ({ PutRequest: { Item } })));
