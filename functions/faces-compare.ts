import { z } from 'zod';
import { compareFaces } from '../shared/face-service/compare.ts';
import { api } from '../shared/http/api.ts';
import { imageSource } from '../shared/image-input.ts';

const body = z.object({ a: imageSource, b: imageSource });

export const handler = api({ auth: 'user', limit: 'face', body }, async ({ userId, body }) => ({
  body: await compareFaces(userId, body.a, body.b),
}));
