import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { CORSRule } from '@aws-sdk/client-s3';

/**
 * The DynamoDB table and S3 bucket the API expects. The local stack creates them from here;
 * serverless.yml declares the same for AWS, and scripts/stack/resources.test.ts checks they agree.
 */

export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'gsi1pk', AttributeType: 'S' },
      { AttributeName: 'gsi1sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'gsi1',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

/** Items carrying this attribute (epoch seconds) expire. dynalite does not implement TTL, AWS does. */
export const tableTtlAttribute = 'ttl';

/** Browsers upload straight to the bucket (presigned POST and multipart PUTs) and read part ETags. */
export const bucketCorsRules: CORSRule[] = [
  {
    AllowedOrigins: ['*'],
    AllowedMethods: ['GET', 'PUT', 'POST'],
    AllowedHeaders: ['*'],
    ExposeHeaders: ['ETag'],
    MaxAgeSeconds: 3000,
  },
];
