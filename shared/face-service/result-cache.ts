import { cacheStore } from '../store/cache.ts';
import { escapeGlob, resultCachePrefix } from '../store/keys.ts';

/**
 * Face results cached per user (so that erasing a user's data erases their cache, and no result
 * crosses users), keyed by image hash and options (store/keys.ts resultCacheKey). Best effort: a Redis
 * failure never fails a request.
 */
const TTL_SECONDS = 24 * 3600;

export async function cached<T>(key: string): Promise<T | undefined> {
  const hit = await cacheStore.peek(key);
  try {
    return hit ? (JSON.parse(hit) as T) : undefined;
  } catch {
    return undefined; // a garbled entry is a miss
  }
}

export const remember = (key: string, value: unknown) =>
  cacheStore.offer(key, JSON.stringify(value), TTL_SECONDS);

/** Erases every cached result of a user (DELETE /v1/me/data). */
export const eraseResultCache = (userId: string) =>
  cacheStore.deleteMatching(`${escapeGlob(resultCachePrefix(userId))}*`);
