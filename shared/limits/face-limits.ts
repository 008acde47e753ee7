import { config } from '../config.ts';
import { AppError, viaDependency } from '../errors.ts';
import { redis } from '../adapters/redis.ts';
import { recordRateLimitRejection } from '../metrics.ts';

/**
 * Per-user fixed-window rate limit (per minute) plus a per-user and a global daily quota, decided
 * and counted in one Lua script so that concurrent requests cannot overshoot. A refused request
 * does not use quota. Own script rather than @upstash/ratelimit: its current scripts need
 * Redis 7.4 ("allow-key-locking"), and we must run on 7.0 too.
 */
const SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], 61) end
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
export const dailyUsageKey = (userId: string, day = utcDay()) => `quota:${userId}:${day}`;

export interface LimitState {
  headers: Record<string, string>;
}

export async function consumeFaceRequest(userId: string, nowMs = Date.now()): Promise<LimitState> {
  const { FACE_RATE_LIMIT_PER_MINUTE: limit, DAILY_QUOTA_PER_USER, GLOBAL_DAILY_BUDGET } = config();
  const window = Math.floor(nowMs / 60_000);
  const resetAt = (window + 1) * 60;
  const day = utcDay(nowMs);
  const [verdict, count] = await viaDependency('redis', () =>
    redis().eval<string[], [number, number, number]>(
      SCRIPT,
      [`rl:face:${userId}:${window}`, dailyUsageKey(userId, day), `quota:global:${day}`],
      [String(limit), String(DAILY_QUOTA_PER_USER), String(GLOBAL_DAILY_BUDGET)],
    ),
  );
  const headers = {
    'X-RateLimit-Limit': String(limit),
    'X-RateLimit-Remaining': String(Math.max(0, limit - count)),
    'X-RateLimit-Reset': String(resetAt),
  };
  if (verdict !== 0) recordRateLimitRejection(verdict === 1 ? 'RATE_LIMITED' : 'QUOTA_EXCEEDED');
  if (verdict === 1) {
    const retryAfter = String(Math.max(1, resetAt - Math.floor(nowMs / 1000)));
    throw new AppError(429, 'RATE_LIMITED', `At most ${limit} face requests per minute.`, undefined, {
      ...headers,
      'Retry-After': retryAfter,
    });
  }
  if (verdict !== 0) {
    const scope = verdict === 2 ? 'your daily quota' : 'the service-wide daily budget';
    const untilMidnight = 86400 - (Math.floor(nowMs / 1000) % 86400);
    throw new AppError(
      429,
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
