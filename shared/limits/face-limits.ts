import { config } from '../config.ts';
import { AppError } from '../errors.ts';
import { cacheStore } from '../store/cache.ts';
import { dailyUsageKey, faceRateKey, globalUsageKey } from '../store/keys.ts';
import { WINDOW_KEY_TTL_SECONDS, minuteWindow, rateLimitHeaders, rateLimited } from './window.ts';
import { recordRateLimitRejection } from '../metrics.ts';

/**
 * Per-user fixed-window rate limit (per minute) plus a per-user and a global daily quota, decided
 * and counted in one Lua script so that concurrent requests cannot overshoot. A refused request
 * does not use quota. Own script rather than Upstash's ratelimit package: its current scripts need
 * Redis 7.4 ("allow-key-locking"), and we must run on 7.0 too.
 */
const SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ${WINDOW_KEY_TTL_SECONDS}) end
if n > tonumber(ARGV[1]) then return {1, n, 0} end
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
if used >= tonumber(ARGV[2]) then return {2, n, used} end
if tonumber(redis.call('GET', KEYS[3]) or '0') >= tonumber(ARGV[3]) then return {3, n, used} end
used = redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], 172800)
redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], 172800)
return {0, n, used}
`;

const utcDay = (ms = Date.now()) => new Date(ms).toISOString().slice(0, 10);

/** The face requests the user made today (GET /v1/me). */
export async function usedToday(userId: string): Promise<number> {
  return Number((await cacheStore.get(dailyUsageKey(userId, utcDay()))) ?? 0);
}

export interface LimitState {
  headers: Record<string, string>;
}

export async function consumeFaceRequest(userId: string, nowMs = Date.now()): Promise<LimitState> {
  const { FACE_RATE_LIMIT_PER_MINUTE: limit, DAILY_QUOTA_PER_USER, GLOBAL_DAILY_BUDGET } = config();
  const window = minuteWindow(nowMs);
  const day = utcDay(nowMs);
  const [verdict, count] = await cacheStore.runScript<[number, number, number]>(
    SCRIPT,
    [faceRateKey(userId, window.index), dailyUsageKey(userId, day), globalUsageKey(day)],
    [String(limit), String(DAILY_QUOTA_PER_USER), String(GLOBAL_DAILY_BUDGET)],
  );
  const headers = rateLimitHeaders(limit, count, window);
  if (verdict !== 0) recordRateLimitRejection(verdict === 1 ? 'RATE_LIMITED' : 'QUOTA_EXCEEDED');
  if (verdict === 1) throw rateLimited(`At most ${limit} face requests per minute.`, headers, window);
  if (verdict !== 0) {
    const scope = verdict === 2 ? 'your daily quota' : 'the service-wide daily budget';
    const untilMidnight = 86400 - (Math.floor(nowMs / 1000) % 86400);
    throw new AppError(
      'QUOTA_EXCEEDED',
      `Face requests have used up ${scope}.`,
      { scope: verdict === 2 ? 'user' : 'global' },
      {
        ...headers,
        'Retry-After': String(untilMidnight),
      },
    );
  }
  return { headers };
}
