import { z } from 'zod';
import { config } from '../config.ts';
import { usedToday } from '../limits/face-limits.ts';

/** The body of GET /v1/me: who the session belongs to and how much of today's face quota is used. */
export const callerSchema = z.object({
  userId: z.string(),
  quota: z.object({ dailyLimit: z.number().int(), usedToday: z.number().int() }),
});

export async function describeCaller(userId: string): Promise<z.infer<typeof callerSchema>> {
  return { userId, quota: { dailyLimit: config().DAILY_QUOTA_PER_USER, usedToday: await usedToday(userId) } };
}
