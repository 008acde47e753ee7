import { galleryVersionKey } from '../store/keys.ts';
import { cacheStore } from '../store/cache.ts';

/**
 * Version stamp of a user's gallery in Redis, shared by all containers: every write that changes search
 * results (enrol, face or person deletion, rename, erase) bumps it after its DynamoDB write, and every
 * search compares it with the stamp its in-memory gallery was built at (one GET).
 */

/**
 * A stamp chain that starts from scratch (first write, or Redis lost the key) starts at the current time in
 * ms instead of 1, so it never repeats a stamp a warm container may still hold from before the loss.
 */
export async function bumpGalleryVersion(userId: string): Promise<string> {
  return String(await cacheStore.increment(galleryVersionKey(userId), Date.now()));
}

export async function currentGalleryVersion(userId: string): Promise<string> {
  const version = await cacheStore.get(galleryVersionKey(userId));
  return version ?? bumpGalleryVersion(userId);
}
