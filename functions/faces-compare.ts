import { z } from 'zod';
import { DEFAULT_MATCH_LEVEL, MATCH_LEVELS } from '../shared/face/match-levels.ts';
import { compareFaces } from '../shared/face-service/compare.ts';
import { api } from '../shared/http/api.ts';
import { imageSource } from '../shared/image-input.ts';

const body = z.object({
  a: imageSource,
  b: imageSource,
  matchLevel: z.enum(MATCH_LEVELS).default(DEFAULT_MATCH_LEVEL),
  livenessSessionId: z.string().min(1).max(64).optional(),
});

export const handler = api(
  { auth: 'user', limit: 'face', body, audit: 'compare' },
  async ({ userId, body }) => {
    const result = await compareFaces(userId, body);
    return { body: result, audit: { result: result.match ? 'match' : 'no_match' } };
  },
);
