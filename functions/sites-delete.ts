import { z } from 'zod';
import { deleteSite } from '../shared/cameras/sites.ts';
import { api } from '../shared/http/api.ts';

const params = z.object({ siteId: z.string().min(1).max(64) });

export const handler = api({ auth: 'user', params }, async ({ userId, params }) => {
  await deleteSite(userId, params.siteId);
  return { status: 204 };
});
