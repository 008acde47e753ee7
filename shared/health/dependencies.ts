import { z } from 'zod';
import { getFaceEngine } from '../face/default-engine.ts';
import { cacheStore } from '../store/cache.ts';
import { objectStore } from '../store/objects.ts';
import { pingTable } from '../store/table.ts';

const dependencyStatus = z.enum(['ok', 'down']);

/** The body of GET /v1/health (200 when every dependency is ok, else 503). */
export const healthReportSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  dependencies: z.object({
    dynamodb: dependencyStatus,
    s3: dependencyStatus,
    redis: dependencyStatus,
    faceEngine: dependencyStatus,
  }),
});
export type HealthReport = z.infer<typeof healthReportSchema>;
type Dependencies = HealthReport['dependencies'];
type DependencyName = keyof Dependencies;

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

export async function checkHealth(): Promise<HealthReport> {
  const names = Object.keys(checks) as DependencyName[];
  const results = await Promise.allSettled(names.map((n) => withTimeout(checks[n]())));
  const dependencies = Object.fromEntries(
    names.map((n, i) => [n, results[i]!.status === 'fulfilled' ? 'ok' : 'down']),
  ) as Dependencies;
  const ok = Object.values(dependencies).every((s) => s === 'ok');
  return { status: ok ? 'ok' : 'degraded', dependencies };
}
