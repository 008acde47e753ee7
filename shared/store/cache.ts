import { viaDependency } from '../errors.ts';
import { redis } from './redis.ts';

/**
 * Redis (Upstash REST) behind a few typed operations; key names come from keys.ts. Every failure becomes
 * a typed error (viaDependency: 503 for an outage) unless an operation says it is best effort. Atomic
 * multi-step rules (rate limits, captcha attempts, sliding windows) are Lua scripts that their domain
 * module writes and `runScript` runs, so the rule stays beside the code that explains it.
 */

const redisCall = <T>(call: () => Promise<T>) => viaDependency('redis', call);

export const cacheStore = {
  /**
   * Claims a key for `seconds` (SET NX EX): true for the one caller of any number of concurrent ones
   * that created it, false when it existed.
   */
  claim: async (key: string, seconds: number, value = '1') =>
    (await redisCall(() => redis().set(key, value, { nx: true, ex: seconds }))) === 'OK',

  get: (key: string) => redisCall(() => redis().get<string>(key)),

  /** Several values in one round trip (MGET), `null` where a key is absent. */
  getMany: (keys: string[]) => redisCall(() => redis().mget<(string | null)[]>(...keys)),

  set: async (key: string, value: string, seconds: number) => {
    await redisCall(() => redis().set(key, value, { ex: seconds }));
  },

  /** Deletes a key; true when it existed (atomic: of concurrent callers, one gets true). */
  take: async (key: string) => (await redisCall(() => redis().del(key))) === 1,

  /** Best effort: a value, or `undefined` also when Redis failed (a cold cache only costs time). */
  async peek(key: string): Promise<string | undefined> {
    try {
      return (await redis().get<string>(key)) ?? undefined;
    } catch {
      return undefined;
    }
  },

  /** Best effort: stores a value for `seconds`, ignoring failures. */
  async offer(key: string, value: string, seconds: number): Promise<void> {
    try {
      await redis().set(key, value, { ex: seconds });
    } catch {
      // A cold cache only costs time.
    }
  },

  /**
   * Increments a counter. A counter that starts from scratch (first write, or Redis lost the key) jumps
   * to `startAt` instead of 1, so it never repeats a value a reader may still hold from before the loss.
   */
  increment: (key: string, startAt: number) =>
    redisCall(async () => {
      const value = await redis().incr(key);
      return value === 1 ? redis().incrby(key, startAt) : value;
    }),

  /** Counts one event in a window counter that expires `seconds` after its first event (INCR + EXPIRE, atomic). */
  tally: (key: string, seconds: number) =>
    redisCall(() =>
      redis().eval<string[], number>(
        "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n",
        [key],
        [String(seconds)],
      ),
    ),

  /** Runs a Lua script atomically (EVAL). */
  runScript: <T>(script: string, keys: string[], args: (string | number)[]) =>
    redisCall(() => redis().eval<(string | number)[], T>(script, keys, args)),

  /** Members of each sorted set whose score is above its given minimum (exclusive), in one round trip. */
  countAbove: (...sets: [key: string, min: number][]) =>
    redisCall(() => Promise.all(sets.map(([key, min]) => redis().zcount(key, `(${min}`, '+inf')))),

  /** Deletes every key matching a glob, with SCAN rather than the blocking KEYS (DELETE /v1/me/data). */
  async deleteMatching(pattern: string): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await redisCall(() => redis().scan(cursor, { match: pattern, count: 500 }));
      if (keys.length > 0) await redisCall(() => redis().del(...keys));
      cursor = String(next);
    } while (cursor !== '0');
  },

  /** A real round trip for the health check (raw errors, no mapping). */
  async ping(): Promise<void> {
    if ((await redis().ping()) !== 'PONG') throw new Error('unexpected PING reply');
  },
};
