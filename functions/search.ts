import { z } from 'zod';
import { DEFAULT_MAX_FACES, MAX_MAX_FACES } from '../shared/face/engine.ts';
import { api } from '../shared/http/api.ts';
import { resolveImage, withImage } from '../shared/image-input.ts';
import { searchImage } from '../shared/library/search.ts';

const body = withImage({
  topK: z.number().int().min(1).max(20).default(5),
  threshold: z.number().min(0).max(1).optional(),
  maxFaces: z.number().int().min(1).max(MAX_MAX_FACES).default(DEFAULT_MAX_FACES),
});

export const handler = api({ auth: 'user', limit: 'face', body }, async ({ userId, body }) => ({
  body: await searchImage(userId, await resolveImage(userId, body), body),
}));
