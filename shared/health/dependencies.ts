import { getFaceEngine } from '../face/default-engine.ts';
import { cacheStore } from '../store/cache.ts';
import { objectStore } from '../store/objects.ts';
import { pingTable } from '../store/table.ts';

export type DependencyName = 'dynamodb' | 's3' | 'redis' | 'faceEngine';
export type DependencyStatus = 'ok' | 'down';

const TIMEOUT_MS = 3000;

/** Each check makes a real round trip with the least privilege it needs. */
const checks: Record<DependencyName, () => Promise<unknown>> = {
  dynamodb: pingTable,
  s3: objectStore.ping,
  redis: cacheStore.ping,
  faceEngine: async () => {
    const health = getFaceEngine().health();
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
