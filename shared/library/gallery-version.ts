import { redis } from '../adapters/redis.ts';
import { viaDependency } from '../errors.ts';

/**
 * Version stamp of a user's gallery in Redis, shared by all containers: every write that changes search
 * results (enrol, face or person deletion, rename, erase) bumps it after its DynamoDB write, and every
 * search compares it with the stamp its in-memory gallery was built at (one GET).
 */
const key = (userId: string) => `gallery:${userId}:version`;

/**
 * A stamp chain that starts from scratch (first write, or Redis lost the key) starts at the current time in
 * ms instead of 1, so it never repeats a stamp a warm container may still hold from before the loss.
 */
export async function bumpGalleryVersion(userId: string): Promise<string> {
  return viaDependency('redis', async () => {
    const version = await redis().incr(key(userId));
    return String(version === 1 ? await redis().incrby(key(userId), Date.now()) : version);
  });
}

export async function currentGalleryVersion(userId: string): Promise<string> {
  const version = await viaDependency('redis', () => redis().get<string>(key(userId)));
  return version ?? bumpGalleryVersion(userId);
}
