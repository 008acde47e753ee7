import { z } from 'zod';
import { issueStreamToken } from '../shared/cameras/cameras.ts';
import { api } from '../shared/http/api.ts';

const params = z.object({ cameraId: z.string().min(1).max(64) });
const body = z.object({
  ttlSeconds: z.number().int().min(30).max(3600).default(300),
  siteId: z.string().min(1).max(64).optional(),
});

export const handler = api({ auth: 'user', params, body }, async ({ userId, params, body }) => ({
  body: await issueStreamToken(userId, params.cameraId, body.ttlSeconds, body.siteId),
}));
