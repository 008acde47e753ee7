import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, tableName } from '../adapters/dynamo.ts';
import { redis } from '../adapters/redis.ts';
import { bucketName, s3 } from '../adapters/s3.ts';
import { getFaceEngine } from '../face/default-engine.ts';

export type DependencyName = 'dynamodb' | 's3' | 'redis' | 'faceEngine';
export type DependencyStatus = 'ok' | 'down';

const TIMEOUT_MS = 3000;

/** Each check makes a real round trip with the least privilege it needs. */
const checks: Record<DependencyName, () => Promise<unknown>> = {
  dynamodb: () =>
    dynamo().send(new GetCommand({ TableName: tableName(), Key: { pk: 'HEALTH', sk: 'HEALTH' } })),
  s3: () => s3().send(new HeadBucketCommand({ Bucket: bucketName() })),
  redis: async () => {
    if ((await redis().ping()) !== 'PONG') throw new Error('unexpected PING reply');
  },
  faceEngine: async () => {
    const health = await getFaceEngine().health();
    if (!health.ok) throw new Error(health.error ?? 'face engine not ready');
  },
};

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), TIMEOUT_MS))),
  ]).finally(() => clearTimeout(timer));
}

export async function checkDependencies(): Promise<Record<DependencyName, DependencyStatus>> {
  const names = Object.keys(checks) as DependencyName[];
  const results = await Promise.allSettled(names.map((n) => withTimeout(checks[n]())));
  return Object.fromEntries(
    names.map((n, i) => [n, results[i]!.status === 'fulfilled' ? 'ok' : 'down']),
  ) as Record<DependencyName, DependencyStatus>;
}
