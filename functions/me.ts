import { config } from '../shared/config.ts';
import { redis } from '../shared/adapters/redis.ts';
import { viaDependency } from '../shared/errors.ts';
import { api } from '../shared/http/api.ts';
import { dailyUsageKey } from '../shared/limits/face-limits.ts';

export const handler = api({ auth: 'user' }, async ({ userId }) => {
  const used = await viaDependency('redis', () => redis().get<string>(dailyUsageKey(userId)));
  return {
    body: { userId, quota: { dailyLimit: config().DAILY_QUOTA_PER_USER, usedToday: Number(used ?? 0) } },
  };
});
