import { config } from '../shared/config.ts';
import { api } from '../shared/http/api.ts';
import { usedToday } from '../shared/limits/face-limits.ts';

export const handler = api({ auth: 'user' }, async ({ userId }) => ({
  body: { userId, quota: { dailyLimit: config().DAILY_QUOTA_PER_USER, usedToday: await usedToday(userId) } },
}));
