import { z } from 'zod';
import { createSite } from '../shared/cameras/sites.ts';
import { api } from '../shared/http/api.ts';

const body = z.object({ name: z.string().trim().min(1).max(64) });

export const handler = api({ auth: 'user', body }, async ({ userId, body }) => ({
  status: 201,
  body: await createSite(userId, body.name),
}));
