import { BatchWriteCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../adapters/dynamo.ts';
import { dependencyUnavailable, viaDependency } from '../errors.ts';

/** DynamoDB access shared by the library modules; every failure other than a failed condition is a 503. */

export type Key = { pk: string; sk: string };

export const db = <T>(call: () => Promise<T>): Promise<T> => viaDependency('dynamodb', call);

/** Runs a conditional write; resolves to its output, or `undefined` when the condition did not hold. */
export function conditionalWrite<T extends object>(write: () => Promise<T>): Promise<T | undefined> {
  return db(async () => {
    try {
      return await write();
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return undefined;
      throw e;
    }
  });
}

/**
 * All items of one partition whose sort key starts with `prefix`, page after page, optionally only the
 * named attributes (aliased, since DynamoDB reserves hundreds of words such as `name`). Strongly
 * consistent: a gallery read after a version bump must include the write that bumped it.
 */
export async function queryPrefix<T>(
  pk: string,
  prefix: string,
  attributes?: readonly string[],
): Promise<T[]> {
  const projection = attributes && {
    ProjectionExpression: attributes.map((_, i) => `#a${i}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(attributes.map((name, i) => [`#a${i}`, name])),
  };
  const all: T[] = [];
  let start: QueryCommandInput['ExclusiveStartKey'];
  do {
    const page = await db(() =>
      dynamo().send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
          ...projection,
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      ),
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

/** Unconditional puts: for bulk loads (bench), never for user requests. */
export const putAll = (items: readonly Key[]) => writeAll(items.map((Item) => ({ PutRequest: { Item } })));
