import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';

/**
 * Single-table design. Keys: `pk`, `sk`; one GSI `gsi1` (`gsi1pk`, `gsi1sk`); TTL attribute `ttl`
 * (epoch seconds). Every user-owned item has a pk starting with `USER#<userId>` so that ownership
 * is part of the key and another user's ids simply do not resolve.
 */
let doc: DynamoDBDocumentClient | undefined;

export function dynamo(): DynamoDBDocumentClient {
  if (!doc) {
    const { AWS_REGION, DYNAMODB_ENDPOINT } = config();
    const base = new DynamoDBClient({
      region: AWS_REGION,
      ...(DYNAMODB_ENDPOINT ? { endpoint: DYNAMODB_ENDPOINT } : {}),
      maxAttempts: 2,
    });
    doc = DynamoDBDocumentClient.from(base, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });
  }
  return doc;
}

export const tableName = (): string => config().TABLE_NAME;
