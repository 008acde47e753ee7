import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { Redis } from '@upstash/redis';
import { apiEnv, urls } from './env.ts';

/** Clients bound to the local stack, for its own setup and for tests that inspect the stores directly. */

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??=
  apiEnv.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;

const credentials = { accessKeyId: apiEnv.AWS_ACCESS_KEY_ID, secretAccessKey: apiEnv.AWS_SECRET_ACCESS_KEY };

export function localS3(): S3Client {
  // Path-style: a bucket name cannot be a subdomain of 127.0.0.1.
  return new S3Client({ endpoint: urls.s3, region: apiEnv.AWS_REGION, credentials, forcePathStyle: true });
}

export function localDynamoDB(): DynamoDBClient {
  return new DynamoDBClient({ endpoint: urls.dynamodb, region: apiEnv.AWS_REGION, credentials });
}

export function localRedis(): Redis {
  // The REST emulator answers in plain JSON; @upstash/redis's default base64 decoding would garble replies.
  return new Redis({
    url: apiEnv.UPSTASH_REDIS_REST_URL,
    token: apiEnv.UPSTASH_REDIS_REST_TOKEN,
    responseEncoding: false,
  });
}
