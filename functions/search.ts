import { z } from 'zod';
import { DEFAULT_MAX_FACES, MAX_MAX_FACES } from '../shared/face/engine.ts';
import { DEFAULT_MATCH_LEVEL, MATCH_LEVELS } from '../shared/face/match-levels.ts';
import { api } from '../shared/http/api.ts';
import { resolveImage, withImage } from '../shared/image-input.ts';
import { searchImage } from '../shared/library/search.ts';

const body = withImage({
  topK: z.number().int().min(1).max(20).default(5),
  matchLevel: z.enum(MATCH_LEVELS).default(DEFAULT_MATCH_LEVEL),
  threshold: z.number().min(0).max(1).optional(),
  livenessSessionId: z.string().min(1).max(64).optional(),
  maxFaces: z.number().int().min(1).max(MAX_MAX_FACES).default(DEFAULT_MAX_FACES),
});

export const handler = api(
  { auth: 'user', limit: 'face', body, audit: 'search' },
  async ({ userId, body }) => {
    const result = await searchImage(userId, await resolveImage(userId, body), body);
    const matched = result.faces.filter((f) => f.matches.length > 0).length;
    return { body: result, audit: { result: `faces:${result.faces.length} matched:${matched}` } };
  },
);
