import { redis } from '../adapters/redis.ts';
import { viaDependency } from '../errors.ts';

/**
 * Face results cached per user (so that erasing a user's data erases their cache, and no result
 * crosses users), keyed by image hash and options. Best effort: a Redis failure never fails a request.
 */
const TTL_SECONDS = 24 * 3600;

export const resultCachePrefix = (userId: string) => `cache:${userId}:`;

export const resultCacheKey = (userId: string, kind: string, imageSha256: string, options: string) =>
  `${resultCachePrefix(userId)}${kind}:${imageSha256}:${options}`;

export async function cached<T>(key: string): Promise<T | undefined> {
  try {
    const hit = await redis().get<string>(key);
    return hit ? (JSON.parse(hit) as T) : undefined;
  } catch {
    return undefined;
  }
}

export async function remember(key: string, value: unknown): Promise<void> {
  try {
    await redis().set(key, JSON.stringify(value), { ex: TTL_SECONDS });
  } catch {
    // A cold cache only costs time.
  }
}

const escapeGlob = (s: string) => s.replace(/[*?[\]\\]/g, '\\$&');

/** Erases every cached result of a user (DELETE /v1/me/data), with SCAN rather than the blocking KEYS. */
export async function eraseResultCache(userId: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await viaDependency('redis', () =>
      redis().scan(cursor, { match: `${escapeGlob(resultCachePrefix(userId))}*`, count: 500 }),
    );
    if (keys.length > 0) await viaDependency('redis', () => redis().del(...keys));
    cursor = String(next);
  } while (cursor !== '0');
}
