import { viaDependency } from '../errors.ts';
import { redis } from './redis.ts';

/** Escapes Redis glob characters in a literal key part. */
export const escapeGlob = (s: string) => s.replace(/[*?[\]\\]/g, '\\$&');

/** Deletes every key matching a glob, with SCAN rather than the blocking KEYS (DELETE /v1/me/data). */
export async function deleteMatching(pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await viaDependency('redis', () =>
      redis().scan(cursor, { match: pattern, count: 500 }),
    );
    if (keys.length > 0) await viaDependency('redis', () => redis().del(...keys));
    cursor = String(next);
  } while (cursor !== '0');
}
