import { redis } from '../adapters/redis.ts';
import { deleteMatching, escapeGlob } from '../adapters/redis-erase.ts';

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

/** Erases every cached result of a user (DELETE /v1/me/data). */
export const eraseResultCache = (userId: string) =>
  deleteMatching(`${escapeGlob(resultCachePrefix(userId))}*`);
