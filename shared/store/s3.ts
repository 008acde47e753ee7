import { S3Client } from '@aws-sdk/client-s3';
import { config } from '../config.ts';

let internal: S3Client | undefined;
let presigning: S3Client | undefined;

function create(endpoint: string | undefined): S3Client {
  const { AWS_REGION } = config();
  return new S3Client({
    region: AWS_REGION,
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    maxAttempts: 2,
  });
}

/** Client the functions use to read and write objects. */
export function s3(): S3Client {
  internal ??= create(config().S3_ENDPOINT);
  return internal;
}

/** Client whose endpoint appears in presigned URLs handed to browsers and phones. */
export function s3ForPresigning(): S3Client {
  const { S3_PUBLIC_ENDPOINT, S3_ENDPOINT } = config();
  presigning ??= S3_PUBLIC_ENDPOINT && S3_PUBLIC_ENDPOINT !== S3_ENDPOINT ? create(S3_PUBLIC_ENDPOINT) : s3();
  return presigning;
}

export const bucketName = (): string => config().BUCKET_NAME;
